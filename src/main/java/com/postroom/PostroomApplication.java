package com.postroom;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

import com.postroom.cli.Cli;

@SpringBootApplication
@EnableScheduling
public class PostroomApplication {

    public static void main(String[] args) {
        if (Cli.handles(args)) {
            System.exit(Cli.run(args));
        }
        SpringApplication.run(PostroomApplication.class, args);
    }
}
