package com.postroom.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.core.env.StandardEnvironment;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.config.ConfigurationError;
import com.postroom.config.Env;
import com.postroom.config.PostroomSettings;
import com.postroom.deliverability.Check;
import com.postroom.deliverability.Doctor;
import com.postroom.deliverability.Dns;
import com.postroom.deliverability.DoctorTools;
import com.postroom.deliverability.Report;
import com.postroom.deliverability.Status;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;

/**
 * {@code java -jar postroom.jar doctor --domain example.com [--json]}: the deliverability report from the command
 * line, with the same settings as the server (environment variables) but no database, so it runs before Postroom is
 * deployed. {@code doctor dkim-keygen --domain example.com} makes a DKIM key pair and prints the record to publish.
 */
final class DoctorCommand {

    private static final String USAGE = """
            usage: postroom doctor [--domain <domain>] [--mail-host <host>] [--json]
                   postroom doctor dkim-keygen [--domain <domain>] [--selector <selector>] [--bits 2048] [--out <file>]
            The domain defaults to DOCTOR_DOMAIN, then the domain of FOUNDER_EMAIL. Exit status: 0 when every check
            passed (warnings are advice), 1 when something is missing or invalid, 3 when a check could not run (DNS
            unreachable or failing, a timeout) and nothing failed, 2 on a usage or configuration error.""";

    /** Exit status when nothing failed but some checks could not run: a gate must not pass on "unknown". */
    static final int COULD_NOT_CHECK = 3;

    private DoctorCommand() {
    }

    static int run(String[] args) {
        boolean keygen = args.length > 0 && args[0].equals("dkim-keygen");
        List<String> rest = new ArrayList<>(Arrays.asList(keygen ? Arrays.copyOfRange(args, 1, args.length) : args));
        boolean asJson = rest.remove("--json");
        if (rest.contains("--help") || rest.size() % 2 != 0) {
            System.err.println(USAGE);
            return 2;
        }
        Map<String, String> options = Cli.options(rest.toArray(String[]::new));
        try {
            StandardEnvironment environment = new StandardEnvironment();
            if (options.containsKey("mail-host")) {
                environment.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("cli",
                        Map.of("DOCTOR_MAIL_HOST", options.get("mail-host"))));
            }
            PostroomSettings settings = PostroomSettings.read(new Env(environment));
            Optional<String> domain = Optional.ofNullable(options.get("domain"))
                    .or(() -> settings.deliverability().domain())
                    .or(() -> settings.identities().founder().map(EmailAddress::domain));
            if (domain.isEmpty()) {
                System.err.println("Name the domain: --domain example.com (or set DOCTOR_DOMAIN or FOUNDER_EMAIL).");
                return 2;
            }
            return keygen ? keygen(settings, domain.get().toLowerCase(Locale.ROOT), options)
                    : doctor(settings, domain.get(), asJson);
        } catch (ConfigurationError e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }

    private static int doctor(PostroomSettings settings, String domain, boolean asJson) {
        MailSessions sessions = new MailSessions(settings.tlsCaFile());
        Dns dns;
        try {
            dns = Dns.using(settings.deliverability().dnsResolver(), settings.deliverability().dnsTimeout());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "; set DNS_RESOLVER to a reachable resolver, or leave it unset.");
            return 2;
        }
        Doctor doctor = new Doctor(settings.deliverability(), dns,
                MailSessions.socketFactory(settings.tlsCaFile()), settings.smtp().map(MailServer::host));
        List<Doctor.Extra> extras = new ArrayList<>();
        settings.smtp().ifPresent(s -> extras.add(DoctorTools.smtpLogin(sessions, s, settings.deliverability())));
        settings.imap().ifPresent(s -> extras.add(DoctorTools.imapLogin(sessions, s, settings.deliverability())));
        Report report = doctor.run(domain, extras);
        PrintStream out = System.out;
        if (asJson) {
            out.println(JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build()
                    .writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } else {
            print(report, out);
        }
        return exitStatus(report);
    }

    /** 1 when a check failed, else 3 when one could not run (said on stderr, which), else 0. Information never counts. */
    static int exitStatus(Report report) {
        List<Check> counted = report.checks().stream().filter(c -> !c.informational()).toList();
        if (counted.stream().anyMatch(c -> c.status() == Status.INVALID || c.status() == Status.MISSING)) {
            return 1;
        }
        List<String> unknown = counted.stream().filter(c -> c.status() == Status.UNKNOWN).map(Check::title).toList();
        if (!unknown.isEmpty()) {
            System.err.println("Could not check: " + String.join(", ", unknown) + ". Nothing failed, but this is no "
                    + "pass (exit " + COULD_NOT_CHECK + ").");
            return COULD_NOT_CHECK;
        }
        return 0;
    }

    static void print(Report report, PrintStream out) {
        out.printf("Postroom doctor: %s, mail host %s (from %s): %s in %.1f s%n%n", report.domain(),
                report.mailHost(), report.mailHostSource(), report.status(), report.durationMs() / 1000.0);
        for (Check c : report.checks()) {
            out.printf("%-8s %s%s%n         %s%n", c.status(), c.title(), c.informational() ? " (information)" : "",
                    c.message());
            if (c.record() != null && c.status() != Status.OK) {
                out.println("         publish: " + c.record());
            }
        }
        out.println();
        out.println("Records for " + report.domain() + ":");
        report.records().forEach(r -> out.println("  " + r));
    }

    private static int keygen(PostroomSettings settings, String domain, Map<String, String> options) {
        String selector = options.getOrDefault("selector", settings.deliverability().dkimSelector());
        int bits;
        try {
            bits = Integer.parseInt(options.getOrDefault("bits", "2048"));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096) {
            System.err.println("--bits must be 2048 (recommended), 3072, 4096 or 1024.");
            return 2;
        }
        Path out = Path.of(options.getOrDefault("out", selector + "." + domain + ".key"));
        DoctorTools.KeyPairRecord key = DoctorTools.dkimKey(domain, selector, bits);
        try {
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(out, key.privateKeyPem());
        } catch (FileAlreadyExistsException e) {
            System.err.println(out + " already exists; move it away or name another file with --out.");
            return 2;
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("The private key could not be written to " + out + ": " + e.getMessage());
            return 2;
        }
        System.err.println("Private key written to " + out + " (mode 600). Give it to the mail server that signs "
                + "(Mailu: /dkim/" + domain + "." + selector + ".key) and set DKIM_PRIVATE_KEY_FILE to check it. "
                + "Publish:");
        System.out.println(key.record());
        return 0;
    }
}
