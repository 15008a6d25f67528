package com.postroom.deliverability;

import java.security.KeyPair;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;

/** What the command line needs from this package beyond {@link Doctor}: the login checks and DKIM key making. */
public final class DoctorTools {

    /** A new DKIM key: the private key as PKCS#8 PEM, and the TXT record that publishes its public half. */
    public record KeyPairRecord(String privateKeyPem, String record) {
    }

    private DoctorTools() {
    }

    public static Doctor.Extra smtpLogin(MailSessions sessions, MailServer server,
                                         PostroomSettings.Deliverability settings) {
        return new Doctor.Extra("login:smtp", "SMTP login", settings.checkTimeout(),
                () -> LoginCheck.smtp(sessions, server, "login:smtp", "SMTP_USERNAME and SMTP_PASSWORD"));
    }

    public static Doctor.Extra imapLogin(MailSessions sessions, MailServer server,
                                         PostroomSettings.Deliverability settings) {
        return new Doctor.Extra("login:imap", "IMAP login", settings.checkTimeout(),
                () -> LoginCheck.imap(sessions, server, "login:imap", "IMAP_USERNAME and IMAP_PASSWORD"));
    }

    public static KeyPairRecord dkimKey(String domain, String selector, int bits) {
        KeyPair pair = DkimCheck.generate(bits);
        return new KeyPairRecord(DkimCheck.pem(pair.getPrivate()),
                DkimCheck.record(selector + "._domainkey." + domain, pair.getPublic()));
    }
}
