package com.postroom.mail;

/**
 * Jakarta Mail 2.1 looks up its {@code StreamProvider} through a ServiceLoader scan on every MIME encode and decode;
 * inside a Spring Boot fat jar each scan opens nested jar URLs, and it was a fifth of the send path's CPU. Naming the
 * provider in the system property that {@code FactoryFinder} checks first skips the scan.
 */
public final class StreamProviderPin {

    static final String PROPERTY = "jakarta.mail.util.StreamProvider";
    static final String ANGUS = "org.eclipse.angus.mail.util.MailStreamProvider";

    private StreamProviderPin() {
    }

    public static void install() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, ANGUS);
        }
    }
}
