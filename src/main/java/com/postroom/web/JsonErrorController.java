package com.postroom.web;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside a controller (the servlet container, a filter) end up at /error; this keeps them in the one
 * JSON shape instead of Spring Boot's default body, and never includes an exception message.
 */
@RestController
class JsonErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<Object> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        String detail = switch (status) {
            case UNAUTHORIZED -> "Could not validate credentials";
            case FORBIDDEN -> "Insufficient permissions";
            case NOT_FOUND -> "Not Found";
            case CONTENT_TOO_LARGE -> "The request is larger than this server accepts.";
            default -> status.getReasonPhrase();
        };
        return ResponseEntity.status(status).body(Map.of("detail", detail));
    }
}
