package org.minivmm.dax;

/** An image file that must not be mapped into a guest; the message says why and what to do. */
public final class ImageRuleException extends Exception {
    public ImageRuleException(String message) {
        super(message);
    }
}
