package com.postroom;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

import com.postroom.cli.Cli;
import com.postroom.mail.StreamProviderPin;

@SpringBootApplication
@EnableScheduling
public class PostroomApplication {

    public static void main(String[] args) {
        StreamProviderPin.install();
        if (Cli.handles(args)) {
            System.exit(Cli.run(args, PostroomApplication.class));
        }
        SpringApplication.run(PostroomApplication.class, args);
    }
}
