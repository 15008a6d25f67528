package com.postroom.mime;

/**
 * Jakarta Mail reads some MIME parsing switches only from system properties. These make it lenient the way real mail
 * needs: broken base64 decodes what it can, RFC 2231 parameters are decoded, a missing closing boundary keeps what
 * arrived, encoded words inside words are decoded.
 */
final class MimeDefaults {

    private MimeDefaults() {
    }

    static void install() {
        setIfAbsent("mail.mime.base64.ignoreerrors", "true");
        setIfAbsent("mail.mime.decodeparameters", "true");
        setIfAbsent("mail.mime.decodetext.strict", "false");
        setIfAbsent("mail.mime.multipart.ignoremissingendboundary", "true");
        setIfAbsent("mail.mime.multipart.ignoremissingboundaryparameter", "true");
        setIfAbsent("mail.mime.parameters.strict", "false");
        setIfAbsent("mail.mime.ignoreunknownencoding", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
