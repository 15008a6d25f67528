package com.postroom.api;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.ModelAndView;

import io.swagger.v3.oas.annotations.Hidden;

/**
 * Errors raised outside a controller (the servlet container, a filter, a page that failed to render) end up at
 * /error. The API gets the one JSON shape; a browser on a page of the web UI gets an error page. Neither ever shows
 * an exception message or a stack trace.
 */
@Controller
@Hidden
class JsonErrorController implements ErrorController {

    @RequestMapping(value = "/error", produces = MediaType.TEXT_HTML_VALUE)
    ModelAndView errorPage(HttpServletRequest request) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        HttpStatus status = status(request);
        if (uri instanceof String u && (u.startsWith("/api/") || u.startsWith("/actuator"))) {
            ModelAndView json = new ModelAndView(new org.springframework.web.servlet.view.json.JacksonJsonView(),
                    Map.of("detail", detail(status)));
            json.setStatus(status);
            return json;
        }
        ModelAndView page = new ModelAndView("error-page", Map.of("status", status.value(), "reason",
                status.getReasonPhrase(), "message", status == HttpStatus.INTERNAL_SERVER_ERROR
                        ? "Something went wrong on our side; the server log has the details." : detail(status)));
        page.setStatus(status);
        return page;
    }

    @RequestMapping("/error")
    @ResponseBody
    ResponseEntity<Object> error(HttpServletRequest request) {
        HttpStatus status = status(request);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("detail", detail(status)));
    }

    /** The error's status; /error asked for directly (no error being handled) is simply not found. */
    private static HttpStatus status(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (code == null) {
            return HttpStatus.NOT_FOUND;
        }
        HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
        return status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status;
    }

    private static String detail(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> "Could not validate credentials";
            case FORBIDDEN -> "Insufficient permissions";
            case NOT_FOUND -> "Not Found";
            case CONTENT_TOO_LARGE -> "The request is larger than this server accepts.";
            default -> status.getReasonPhrase();
        };
    }
}
