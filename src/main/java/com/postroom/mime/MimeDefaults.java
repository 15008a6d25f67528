package com.postroom.mime;

/**
 * Jakarta Mail reads some MIME parsing switches only from system properties. These make it lenient the way real mail
 * needs: broken base64 decodes what it can, RFC 2231 parameters are decoded, a missing closing boundary keeps what
 * arrived, encoded words inside words are decoded, an encoded attached message is decoded.
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
        // A forwarded message (message/rfc822) sent base64- or quoted-printable-encoded, which RFC 2046 forbids and
        // some webmails do: decoded, as Thunderbird does; Jakarta Mail would hand over the encoded text, which is no
        // message (its size, hash and name were of the base64, and it could not be opened).
        setIfAbsent("mail.mime.allowencodedmessages", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
