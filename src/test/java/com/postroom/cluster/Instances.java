package com.postroom.cluster;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Another live Postroom instance on the same database, for tests of work shared between instances. */
public final class Instances {

    private Instances() {
    }

    public static Instance another(JdbcClient jdbc) {
        Instance instance = new Instance(jdbc);
        instance.register();
        return instance;
    }

    public static void stop(Instance instance) {
        instance.deregister();
    }
}
