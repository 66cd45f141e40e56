package org.minivmm.rootfs.image;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: the JDK's String constructor would silently turn bad bytes into U+FFFD. */
final class Utf8 {
    private Utf8() {
    }

    static String decode(byte[] bytes, String what) throws ImageBuildException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ImageBuildException(what + " is not valid UTF-8");
        }
    }
}
