package org.minivmm.stage1;

/** A stage1 entrypoint cannot go on; the message says why and what to do, fit to show as is. */
public final class Stage1Exception extends Exception {
    private static final long serialVersionUID = 1L;

    public Stage1Exception(String message) {
        super(message);
    }
}
