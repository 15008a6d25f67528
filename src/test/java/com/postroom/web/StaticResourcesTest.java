package com.postroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.web.servlet.resource.ResourceUrlEncodingFilter;

import com.postroom.support.SandboxTest;
import com.postroom.support.WebClient;

/**
 * The files the pages name are served, and a page's links are not looked up as files: Boot's resource chain (on by
 * default with webjars-locator-lite) rewrote every link through the class path, most of a search page's time.
 */
@SandboxTest
class StaticResourcesTest {

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;

    @Test
    void thePagesFilesAreServedWithoutTheResourceChain() {
        assertThat(context.getBeansOfType(ResourceUrlEncodingFilter.class)).isEmpty();
        assertThat(context.getBeansOfType(FilterRegistrationBean.class).values())
                .noneMatch(r -> r.getFilter() instanceof ResourceUrlEncodingFilter);
        WebClient client = new WebClient("localhost", port);
        String login = client.get("/login").body();
        for (String file : new String[] {"/webjars/htmx.org/2.0.8/dist/htmx.min.js", "/js/postroom.js",
                "/css/postroom.css", "/favicon.svg"}) {
            assertThat(login).contains(file);
            HttpResponse<String> served = client.get(file);
            assertThat(served.statusCode()).as(file).isEqualTo(200);
            assertThat(served.body()).as(file).isNotEmpty();
        }
    }
}
