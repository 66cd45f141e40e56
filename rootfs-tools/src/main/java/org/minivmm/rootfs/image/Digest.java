package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A content digest "algorithm:hex" (image-spec descriptor.md), strictly checked: it names blob
 * files, so anything but lowercase hex of the right length could be a path trick.
 *
 * @param algorithm "sha256" or "sha512"
 * @param hex the digest in lowercase hex
 */
record Digest(String algorithm, String hex) {
    private static final Pattern FORM = Pattern.compile("(sha256|sha512):([a-f0-9]+)");

    static Digest parse(String digest, String what) throws ImageBuildException {
        Matcher matcher = FORM.matcher(digest);
        if (matcher.matches()) {
            Digest parsed = new Digest(matcher.group(1), matcher.group(2));
            if (parsed.hex.length() == 2 * parsed.newMessageDigest().getDigestLength()) {
                return parsed;
            }
        }
        throw new ImageBuildException(what + ": unsupported or malformed digest " + digest
                + " (expected sha256:<64 hex> or sha512:<128 hex>)");
    }

    /** The sha256 of a file's bytes, in hex. */
    static String sha256Hex(Path file) throws IOException {
        MessageDigest hash = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            update(hash, in);
        }
        return HexFormat.of().formatHex(hash.digest());
    }

    /** Feeds a whole stream to a digest. */
    static void update(MessageDigest hash, InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int count;
        while ((count = in.read(buffer)) > 0) {
            hash.update(buffer, 0, count);
        }
    }

    static MessageDigest newSha256() {
        return messageDigest("SHA-256");
    }

    MessageDigest newMessageDigest() {
        return messageDigest(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    }

    boolean matches(MessageDigest finished) {
        return hex.equals(HexFormat.of().formatHex(finished.digest()));
    }

    /** Where image-layout.md keeps the blob: blobs/ALGORITHM/HEX. */
    String blobPath() {
        return "blobs/" + algorithm + "/" + hex;
    }

    /** A short form for progress messages. */
    String shortForm() {
        return algorithm + ":" + hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    private static MessageDigest messageDigest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + name, e);
        }
    }
}
