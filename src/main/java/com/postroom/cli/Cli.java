package com.postroom.cli;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import com.postroom.org.Tokens;
import com.postroom.org.Users;

/**
 * Command-line tasks run against the same database as the server: {@code java -jar postroom.jar token create
 * --email admin@example.com --name ci}. It starts Postroom without its web server, mail workers or sandbox ports.
 */
public final class Cli {

    private Cli() {
    }

    public static boolean handles(String[] args) {
        return args.length > 0 && (args[0].equals("token") || args[0].equals("doctor"));
    }

    /** @param application the application's configuration class, to start it without its web server */
    public static int run(String[] args, Class<?> application) {
        if (args[0].equals("doctor")) {
            return DoctorCommand.run(Arrays.copyOfRange(args, 1, args.length));
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, Math.min(2, args.length), args.length));
        if (args.length < 2 || !args[1].equals("create") || !options.containsKey("email")) {
            System.err.println("usage: postroom token create --email <admin email> [--name <token name>]");
            return 2;
        }
        SpringApplication app = new SpringApplication(application);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("POSTROOM_BACKGROUND_WORKERS", "false", "SANDBOX_SMTP_PORT", "0",
                "SANDBOX_IMAP_PORT", "0", "logging.level.root", "WARN"));
        try (ConfigurableApplicationContext context = app.run()) {
            Users users = context.getBean(Users.class);
            var user = users.byEmail(options.get("email"));
            if (user.isEmpty() || !user.get().roles().contains("admin")) {
                System.err.println("No administrator " + options.get("email") + " exists; name an admin user.");
                return 1;
            }
            Tokens.Issued issued = context.getBean(Tokens.class).issueApiToken(user.get().orgId(), user.get().id(),
                    options.getOrDefault("name", "cli"));
            System.out.println(issued.token());
            System.err.println("Token '" + issued.name() + "' (id " + issued.id() + ") created. It is shown only once.");
            return 0;
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].startsWith("--")) {
                options.put(args[i].substring(2), args[i + 1]);
            }
        }
        return options;
    }
}
