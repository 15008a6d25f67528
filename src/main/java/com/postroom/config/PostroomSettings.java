package com.postroom.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.postroom.mail.EmailAddress;
import com.postroom.mail.Identities;
import com.postroom.mail.MailServer;
import com.postroom.mail.Secret;
import com.postroom.mail.TlsMode;

/**
 * Every setting Postroom reads, validated once at start-up. Names are the environment variables of
 * docs/configuration.md; a wrong value stops start-up with a {@link ConfigurationError}.
 */
public record PostroomSettings(
        Path dataDir,
        Optional<String> databaseUrl, Optional<String> databaseUsername, Optional<Secret> databasePassword,
        Optional<MailServer> smtp, Optional<MailServer> imap,
        List<String> imapFolders, Optional<String> imapSentFolder, Duration imapPollInterval,
        Identities identities,
        Optional<Path> tlsCaFile, boolean allowInsecure,
        Optional<Secret> secretKey,
        Bootstrap bootstrap,
        Outbound outbound,
        Auth auth,
        Optional<Secret> postmarkServerToken,
        Optional<Path> templatesDir,
        int contactLimitPerHour,
        Inbound inbound,
        PostmarkWebhook postmarkWebhook,
        Search search,
        Deliverability deliverability,
        Web web,
        Http http,
        boolean backgroundWorkers) {

    /**
     * How Postroom meets browsers and proxies: the origins whose pages may call the API (CORS, with credentials), and
     * the reverse proxies whose X-Forwarded-* headers are believed (addresses or CIDR ranges), and the address mail
     * recipients reach Postroom at (POSTROOM_PUBLIC_URL: unsubscribe links in bulk mail).
     */
    public record Http(List<String> corsAllowedOrigins, List<String> trustedProxies, Optional<String> publicUrl) {

        public Http(List<String> corsAllowedOrigins, List<String> trustedProxies) {
            this(corsAllowedOrigins, trustedProxies, Optional.empty());
        }
    }

    /**
     * The web UI: how long a sent message can still be taken back, and the IMAP folder that drafts are mirrored to
     * (empty turns the mirror off).
     */
    public record Web(Duration undoSendWindow, Optional<String> imapDraftsFolder) {
    }

    /**
     * The doctor (docs/deliverability.md): which domain and mail host it checks, how it asks DNS, which ports and
     * blocklists it tries, and how often it runs on its own.
     */
    public record Deliverability(Optional<String> domain, Optional<String> mailHost, String dkimSelector,
                                 Optional<Path> dkimPrivateKeyFile, Optional<String> dnsResolver, Duration dnsTimeout,
                                 List<String> ipBlocklists, List<String> domainBlocklists, Map<String, Integer> ports,
                                 boolean checkPop3, Optional<Duration> interval, Duration checkTimeout,
                                 Duration roundTripTimeout, long outboxAlertDepth, Duration runTimeout) {

        /** Without a bound of its own, a whole run (DOCTOR_TIMEOUT) may take up to three check limits. */
        public Deliverability(Optional<String> domain, Optional<String> mailHost, String dkimSelector,
                              Optional<Path> dkimPrivateKeyFile, Optional<String> dnsResolver, Duration dnsTimeout,
                              List<String> ipBlocklists, List<String> domainBlocklists, Map<String, Integer> ports,
                              boolean checkPop3, Optional<Duration> interval, Duration checkTimeout,
                              Duration roundTripTimeout, long outboxAlertDepth) {
            this(domain, mailHost, dkimSelector, dkimPrivateKeyFile, dnsResolver, dnsTimeout, ipBlocklists,
                    domainBlocklists, ports, checkPop3, interval, checkTimeout, roundTripTimeout, outboxAlertDepth,
                    checkTimeout.multipliedBy(3));
        }
    }

    /** Full-text search: the PostgreSQL text search configuration (a language such as english, german, simple). */
    public record Search(String language) {
    }

    /**
     * IMAP sync tuning: IDLE on or off, how often an idle connection is checked and IDLE re-issued, and how long a
     * folder may go without a successful sync before health says so.
     */
    public record Inbound(boolean idle, Duration idleRenew, Duration staleAfter) {
    }

    /** How Postmark's webhook calls prove who they are (Postmark itself does not sign). */
    public record PostmarkWebhook(Optional<String> username, Optional<Secret> password, boolean requireSignature) {
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    /** First start on an empty database: the organization and its administrator. */
    public record Bootstrap(String orgName, String orgDomain, Optional<EmailAddress> adminEmail,
                            Optional<Secret> adminPassword) {
    }

    /** Limits and tunables of the sending core and the delivery worker. */
    public record Outbound(long maxMessageBytes, int maxRecipients, int workers, Duration retryFor,
                           Duration retryBaseDelay, Duration retryMaxDelay, Duration pollInterval,
                           Duration leaseTime, int claimBatchSize, Duration staleAfter, Duration shutdownGrace,
                           boolean smtpPipelining) {
    }

    /** Bearer tokens: Postroom's own, and optionally the platform's HS256 JWTs. */
    public record Auth(Duration sessionTtl, Optional<Secret> jwtSecret, String jwtEmailClaim, String jwtOrgClaim,
                       String jwtRolesClaim) {
    }

    /**
     * Whether this instance runs the background work: delivery, IMAP watching and write-back, the Sent and Drafts
     * copies, scheduled doctor runs, alerts and repairs. Requests (the API, the UI, an on-demand poll) work either way.
     */
    public boolean runsBackgroundWork() {
        return backgroundWorkers;
    }

    /** No SMTP_HOST: Postroom runs its own loopback mail server and sends nothing off the machine. */
    public boolean sandbox() {
        return smtp.isEmpty();
    }

    public static PostroomSettings read(Env env) {
        boolean allowInsecure = env.bool("MAIL_ALLOW_INSECURE", false);
        Duration connectTimeout = env.duration("MAIL_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT);
        Duration readTimeout = env.duration("MAIL_READ_TIMEOUT", DEFAULT_READ_TIMEOUT);
        // Every variable is read, and so validated, whether or not its server is configured: a typo in SMTP_PORT
        // should stop start-up even while SMTP_HOST is still unset.
        int smtpPort = env.port("SMTP_PORT", 587);
        boolean smtpTls = env.bool("SMTP_USE_TLS", true);
        Optional<Secret> smtpPassword = env.secret("SMTP_PASSWORD");
        int imapPort = env.port("IMAP_PORT", 993);
        boolean imapTls = env.bool("IMAP_USE_TLS", true);
        Optional<Secret> imapPassword = env.secret("IMAP_PASSWORD");
        Optional<MailServer> smtp = env.string("SMTP_HOST").map(host -> {
            TlsMode tls = smtpPort == 465 ? TlsMode.IMPLICIT : smtpTls ? TlsMode.STARTTLS : TlsMode.NONE;
            return checked("SMTP", new MailServer(host, smtpPort, tls, env.string("SMTP_USERNAME"), smtpPassword,
                    connectTimeout, readTimeout), allowInsecure);
        });
        Optional<MailServer> imap = env.string("IMAP_HOST").map(host -> {
            MailServer server = new MailServer(host, imapPort, imapTls ? TlsMode.IMPLICIT : TlsMode.NONE,
                    env.string("IMAP_USERNAME"), imapPassword, connectTimeout, readTimeout);
            if (!server.authenticates()) {
                throw new ConfigurationError("IMAP_HOST is set but IMAP_USERNAME or IMAP_PASSWORD is missing; "
                        + "set both to sync the mailbox.");
            }
            return checked("IMAP", server, allowInsecure);
        });
        Optional<String> smtpUser = env.string("SMTP_USERNAME");
        Identities identities = new Identities(address(env, "FOUNDER_EMAIL"), address(env, "BILLING_FROM_EMAIL"),
                address(env, "SUPPORT_EMAIL"), address(env, "NOREPLY_EMAIL"), address(env, "SMTP_FROM_EMAIL"),
                smtpUser.filter(u -> u.contains("@")).map(u -> parseAddress("SMTP_USERNAME", u)),
                address(env, "POSTMARK_DEFAULT_SENDER").or(() -> address(env, "POSTMARK_FROM_EMAIL")));
        Optional<Path> caFile = env.string("MAIL_TLS_CA_FILE").map(Path::of);
        caFile.ifPresent(p -> {
            if (!Files.isReadable(p)) {
                throw new ConfigurationError("MAIL_TLS_CA_FILE points at " + p + ", which does not exist or "
                        + "cannot be read.");
            }
            try {
                com.postroom.mail.MailSessions.checkCaFile(p);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationError(e.getMessage());
            }
        });
        Optional<String> databaseUrl = env.string("DATABASE_URL");
        databaseUrl.ifPresent(PostroomSettings::checkDatabaseUrl);
        Optional<Secret> secretKey = env.secret("POSTROOM_SECRET_KEY");
        secretKey.ifPresent(k -> {
            if (k.reveal().length() < 32) {
                throw new ConfigurationError("POSTROOM_SECRET_KEY must be at least 32 characters long "
                        + "(for example the output of `openssl rand -base64 48`).");
            }
        });
        Optional<Secret> jwtSecret = env.secret("AUTH_JWT_SECRET");
        jwtSecret.ifPresent(k -> {
            int bytes = k.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes < 16) {
                throw new ConfigurationError("AUTH_JWT_SECRET must be at least 16 bytes long (32 or more is right "
                        + "for HS256); got " + bytes + ".");
            }
            if (bytes < 32) {
                // The platform's own secret may be this short (its code accepted it): refusing to start would
                // lock its users out, so Postroom accepts it and says what it costs.
                org.slf4j.LoggerFactory.getLogger(PostroomSettings.class).warn("AUTH_JWT_SECRET is {} bytes; HS256 "
                        + "wants at least 32. A short secret is easier to guess by brute force, and whoever guesses "
                        + "it can sign tokens for any user and role. Replace it with 32 or more random bytes on the "
                        + "platform and here (openssl rand -base64 48).", bytes);
            }
        });
        String orgDomain = env.string("POSTROOM_ORG_DOMAIN", "").toLowerCase();
        return new PostroomSettings(
                Path.of(env.string("POSTROOM_DATA_DIR", "./data")).toAbsolutePath().normalize(),
                databaseUrl, env.string("DATABASE_USERNAME"), env.secret("DATABASE_PASSWORD"),
                smtp, imap,
                env.list("IMAP_FOLDERS", "INBOX"),
                // Unset means Mailu's "Sent"; set but empty turns the copy off.
                env.isSet("IMAP_SENT_FOLDER") ? env.string("IMAP_SENT_FOLDER") : Optional.of("Sent"),
                env.duration("IMAP_POLL_INTERVAL", Duration.ofSeconds(60)),
                identities, caFile, allowInsecure, secretKey,
                new Bootstrap(env.string("POSTROOM_ORG_NAME", "Postroom"), orgDomain,
                        address(env, "POSTROOM_ADMIN_EMAIL").or(identities::founder),
                        env.secret("POSTROOM_ADMIN_PASSWORD")),
                new Outbound(env.bytes("MAIL_MAX_MESSAGE_BYTES", 10L * 1024 * 1024),
                        env.integer("MAIL_MAX_RECIPIENTS", 50, 1, 1000),
                        env.integer("OUTBOX_WORKERS", 4, 1, 64),
                        env.duration("OUTBOX_RETRY_FOR", Duration.ofHours(24)),
                        env.duration("OUTBOX_RETRY_BASE_DELAY", Duration.ofSeconds(30)),
                        env.duration("OUTBOX_RETRY_MAX_DELAY", Duration.ofHours(1)),
                        env.duration("OUTBOX_POLL_INTERVAL", Duration.ofSeconds(1)),
                        env.duration("OUTBOX_LEASE_TIME", Duration.ofMinutes(5)),
                        env.integer("OUTBOX_CLAIM_BATCH", 50, 1, 1000),
                        env.duration("OUTBOX_STALE_AFTER", Duration.ofMinutes(15)),
                        env.duration("SHUTDOWN_GRACE", Duration.ofSeconds(20)),
                        env.bool("SMTP_PIPELINING", true)),
                new Auth(env.duration("AUTH_SESSION_TTL", Duration.ofHours(12)), jwtSecret,
                        env.string("AUTH_JWT_EMAIL_CLAIM", "sub"), env.string("AUTH_JWT_ORG_CLAIM", "org_id"),
                        env.string("AUTH_JWT_ROLES_CLAIM", "roles")),
                env.secret("POSTMARK_SERVER_TOKEN"),
                env.string("TEMPLATES_DIR").map(Path::of),
                env.integer("CONTACT_LIMIT_PER_HOUR", 5, 1, 100000),
                new Inbound(env.bool("IMAP_IDLE", true), idleRenew(env),
                        env.duration("IMAP_STALE_AFTER", Duration.ofMinutes(5))),
                postmarkWebhook(env),
                new Search(searchLanguage(env)),
                deliverability(env),
                // Unset means Mailu's "Drafts"; set but empty turns the mirror off.
                new Web(undoWindow(env),
                        env.isSet("IMAP_DRAFTS_FOLDER") ? env.string("IMAP_DRAFTS_FOLDER") : Optional.of("Drafts")),
                http(env),
                // Off on an instance that only serves the API and the UI, and in one-shot commands (cli).
                env.bool("POSTROOM_BACKGROUND_WORKERS", true));
    }

    private static Http http(Env env) {
        List<String> origins = env.isSet("CORS_ALLOWED_ORIGINS") ? env.list("CORS_ALLOWED_ORIGINS", "")
                : env.list("ALLOWED_ORIGINS", "");
        for (String origin : origins) {
            if (origin.equals("*")) {
                throw new ConfigurationError("CORS_ALLOWED_ORIGINS cannot be '*': browsers send the platform's "
                        + "session with these calls, and '*' would let any site use it. List the frontend's origins, "
                        + "for example https://app.example.com,http://localhost:3000.");
            }
            if (!origin.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) {
                throw new ConfigurationError("CORS_ALLOWED_ORIGINS: '" + origin + "' is not an origin; write "
                        + "scheme://host[:port] without a path, for example http://localhost:3000.");
            }
        }
        List<String> proxies = env.list("TRUSTED_PROXIES", "127.0.0.1,::1");
        for (String proxy : proxies) {
            try {
                new org.springframework.security.web.util.matcher.IpAddressMatcher(proxy);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationError("TRUSTED_PROXIES: '" + proxy + "' is not an address or CIDR range "
                        + "(for example 127.0.0.1, 10.0.0.0/8, ::1).");
            }
        }
        Optional<String> publicUrl = env.string("POSTROOM_PUBLIC_URL").map(u -> u.replaceAll("/+$", ""));
        publicUrl.filter(u -> !u.matches("https://[A-Za-z0-9.-]+(:\\d{1,5})?(/[A-Za-z0-9._~/-]*)?")
                && !u.matches("http://(localhost|127\\.0\\.0\\.1)(:\\d{1,5})?(/[A-Za-z0-9._~/-]*)?"))
                .ifPresent(u -> {
                    throw new ConfigurationError("POSTROOM_PUBLIC_URL: '" + u + "' must be the https:// address "
                            + "recipients reach Postroom at, for example https://mail.example.com (receivers ignore "
                            + "plain http unsubscribe links).");
                });
        return new Http(origins.stream().map(o -> o.replaceAll("/+$", "")).toList(), proxies, publicUrl);
    }

    private static Duration undoWindow(Env env) {
        if (env.string("UNDO_SEND_WINDOW").filter(v -> v.equals("0") || v.equalsIgnoreCase("off")).isPresent()) {
            return Duration.ZERO;
        }
        Duration window = env.duration("UNDO_SEND_WINDOW", Duration.ofSeconds(10));
        if (window.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigurationError("UNDO_SEND_WINDOW must be at most 5m (mail waits that long before it is "
                    + "sent); got " + window + ".");
        }
        return window;
    }

    private static Deliverability deliverability(Env env) {
        Optional<String> domain = env.string("DOCTOR_DOMAIN").map(d -> hostName("DOCTOR_DOMAIN", d));
        Optional<String> host = env.string("DOCTOR_MAIL_HOST").map(d -> hostName("DOCTOR_MAIL_HOST", d));
        String selector = env.string("DKIM_SELECTOR", "dkim").toLowerCase(java.util.Locale.ROOT);
        if (!selector.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
            throw new ConfigurationError("DKIM_SELECTOR must be a DNS label such as dkim or mail2026; got '"
                    + selector + "'.");
        }
        Optional<Path> keyFile = env.string("DKIM_PRIVATE_KEY_FILE").map(Path::of);
        keyFile.ifPresent(p -> {
            if (!Files.isReadable(p)) {
                throw new ConfigurationError("DKIM_PRIVATE_KEY_FILE points at " + p + ", which does not exist or "
                        + "cannot be read.");
            }
        });
        Optional<String> resolver = env.string("DNS_RESOLVER");
        resolver.ifPresent(r -> {
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("(?:^[^:]+|\\]):([0-9]{1,5})$").matcher(r);
            if (!r.matches("\\[?[0-9A-Za-z.:-]+\\]?(:[0-9]{1,5})?")
                    || port.find() && (Integer.parseInt(port.group(1)) < 1 || Integer.parseInt(port.group(1)) > 65535)) {
                throw new ConfigurationError("DNS_RESOLVER must be a resolver address such as 1.1.1.1, 127.0.0.53 "
                        + "or 10.0.0.2:5353 (a port from 1 to 65535); got '" + r + "'.");
            }
        });
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        for (String entry : env.list("DOCTOR_PORTS", "smtp=25,submission=587,smtps=465,imaps=993,pop3s=995")) {
            String[] kv = entry.split("=", 2);
            if (kv.length != 2 || !DOCTOR_SERVICES.contains(kv[0].trim()) || !kv[1].trim().matches("[0-9]{1,5}")
                    || Integer.parseInt(kv[1].trim()) < 1 || Integer.parseInt(kv[1].trim()) > 65535) {
                throw new ConfigurationError("DOCTOR_PORTS must list service=port pairs for " + DOCTOR_SERVICES
                        + ", such as smtp=25,submission=587; got '" + entry + "'.");
            }
            ports.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
        }
        Optional<Duration> interval = env.string("DOCTOR_INTERVAL").filter(v -> v.equalsIgnoreCase("off")).isPresent()
                ? Optional.empty() : Optional.of(env.duration("DOCTOR_INTERVAL", Duration.ofHours(24)));
        return new Deliverability(domain, host, selector, keyFile, resolver,
                env.duration("DNS_TIMEOUT", Duration.ofSeconds(3)),
                env.list("DNS_BLOCKLISTS", "zen.spamhaus.org,bl.spamcop.net,b.barracudacentral.org")
                        .stream().map(d -> hostName("DNS_BLOCKLISTS", d)).toList(),
                env.list("DNS_DOMAIN_BLOCKLISTS", "dbl.spamhaus.org")
                        .stream().map(d -> hostName("DNS_DOMAIN_BLOCKLISTS", d)).toList(),
                Map.copyOf(ports), env.bool("DOCTOR_CHECK_POP3", false), interval,
                env.duration("DOCTOR_CHECK_TIMEOUT", Duration.ofSeconds(10)),
                env.duration("DOCTOR_ROUND_TRIP_TIMEOUT", Duration.ofSeconds(60)),
                env.integer("OUTBOX_ALERT_DEPTH", 1000, 1, Integer.MAX_VALUE),
                // The whole run, whatever its checks' own limits: a deploy script waits this long at most.
                env.duration("DOCTOR_TIMEOUT", Duration.ofSeconds(90)));
    }

    /** The services whose ports the doctor tries, by the names DOCTOR_PORTS uses. */
    public static final List<String> DOCTOR_SERVICES = List.of("smtp", "submission", "smtps", "imaps", "pop3s");

    private static String hostName(String variable, String value) {
        String v = value.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "");
        if (!v.matches("([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new ConfigurationError(variable + " must be a domain name such as example.com; got '" + value
                    + "'.");
        }
        return v;
    }

    private static String searchLanguage(Env env) {
        String language = env.string("SEARCH_LANGUAGE", "english").toLowerCase(java.util.Locale.ROOT);
        // Checked against the database's configurations at start (MailboxSearchConfig); here only its form.
        if (!language.matches("[a-z_]{2,40}")) {
            throw new ConfigurationError("SEARCH_LANGUAGE must be the name of a PostgreSQL text search configuration "
                    + "such as english, german, french or simple; got '" + language + "'.");
        }
        return language;
    }

    private static Duration idleRenew(Env env) {
        Duration renew = env.duration("IMAP_IDLE_RENEW", Duration.ofMinutes(5));
        // RFC 2177 §3: servers may drop a client idle for 30 minutes; many NATs forget a silent flow far sooner.
        if (renew.compareTo(Duration.ofMinutes(29)) > 0 || renew.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new ConfigurationError("IMAP_IDLE_RENEW must be between 5s and 29m (RFC 2177 lets servers drop an "
                    + "IDLE after 30 minutes); got " + renew + ".");
        }
        return renew;
    }

    private static PostmarkWebhook postmarkWebhook(Env env) {
        Optional<String> user = env.string("POSTMARK_WEBHOOK_USERNAME");
        Optional<Secret> password = env.secret("POSTMARK_WEBHOOK_PASSWORD");
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigurationError("POSTMARK_WEBHOOK_USERNAME and POSTMARK_WEBHOOK_PASSWORD must be set "
                    + "together (Basic auth on Postmark's webhook URL).");
        }
        boolean signature = env.bool("POSTMARK_REQUIRE_SIGNATURE", false);
        if (env.secret("POSTMARK_SERVER_TOKEN").isPresent() && user.isEmpty() && !signature) {
            throw new ConfigurationError("POSTMARK_SERVER_TOKEN is set but its webhooks would be open to anyone: set "
                    + "POSTMARK_WEBHOOK_USERNAME and POSTMARK_WEBHOOK_PASSWORD (and put them in the webhook URL), "
                    + "or POSTMARK_REQUIRE_SIGNATURE=true.");
        }
        return new PostmarkWebhook(user, password, signature);
    }

    private static MailServer checked(String protocol, MailServer server, boolean allowInsecure) {
        if (server.tls() == TlsMode.NONE && server.authenticates() && !allowInsecure && !server.isLoopback()) {
            String fix = protocol.equals("SMTP")
                    ? "use port 587 with SMTP_USE_TLS=true, or port 465"
                    : "use port 993 with IMAP_USE_TLS=true";
            throw new ConfigurationError(protocol + "_USE_TLS=false would send the " + protocol + " password in "
                    + "plaintext to " + server.host() + "; " + fix + ", or set MAIL_ALLOW_INSECURE=true.");
        }
        return server;
    }

    private static Optional<EmailAddress> address(Env env, String name) {
        return env.string(name).map(v -> parseAddress(name, v));
    }

    private static EmailAddress parseAddress(String name, String value) {
        try {
            return EmailAddress.parse(value);
        } catch (EmailAddress.InvalidAddressException e) {
            throw new ConfigurationError(name + " must be an email address; " + e.getMessage() + ".");
        }
    }

    private static void checkDatabaseUrl(String url) {
        if (!(url.startsWith("jdbc:postgresql://") || url.startsWith("postgres://")
                || url.startsWith("postgresql://"))) {
            throw new ConfigurationError("DATABASE_URL must be a PostgreSQL URL such as "
                    + "jdbc:postgresql://db:5432/postroom or postgresql://user:pass@db:5432/postroom.");
        }
    }
}
