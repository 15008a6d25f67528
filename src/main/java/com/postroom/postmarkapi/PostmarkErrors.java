package com.postroom.postmarkapi;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Every refusal of the Postmark API in Postmark's shape; nothing else (no stack trace, no Postroom error shape). */
@RestControllerAdvice(assignableTypes = {SendingApi.class, ReadingApi.class, SuppressionApi.class, TemplateApi.class, WebhookApi.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class PostmarkErrors {

    private static final Logger log = LoggerFactory.getLogger(PostmarkErrors.class);

    @ExceptionHandler(PostmarkError.class)
    ResponseEntity<Map<String, Object>> refused(PostmarkError e) {
        return ResponseEntity.status(e.status()).body(e.body());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> failed(Exception e) {
        log.error("The Postmark API failed", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(PostmarkError.body(
                1, "Postroom could not take the request; try again (the "
                        + "error is in its log)."));
    }
}
