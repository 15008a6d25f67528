package com.postroom.ui;

import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

import jakarta.servlet.http.HttpServletResponse;

import com.postroom.web.ApiException;

/**
 * A page that refuses (wrong role, unknown id, bad input) answers with the same status and sentence as the API, as a
 * page. Anything unexpected is left to the error handling that logs it and shows no stack trace.
 */
@ControllerAdvice(annotations = WebPage.class)
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class UiErrors {

    @ExceptionHandler(ApiException.class)
    String refused(ApiException e, Model model, HttpServletResponse response) {
        HttpStatus status = e.status();
        response.setStatus(status.value());
        model.addAttribute("status", status.value());
        model.addAttribute("reason", status.getReasonPhrase());
        model.addAttribute("message", e.getMessage());
        return "error-page";
    }
}
