package com.postroom.mime;

/** A message the parser cannot make sense of; it is stored raw and quarantined with this reason. */
public class UnparseableMail extends Exception {

    public UnparseableMail(String reason) {
        super(reason);
    }
}
