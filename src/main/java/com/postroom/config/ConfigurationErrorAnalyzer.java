package com.postroom.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link ConfigurationError} into Spring Boot's short start-up failure report. */
class ConfigurationErrorAnalyzer extends AbstractFailureAnalyzer<ConfigurationError> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationError cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the setting (see docs/configuration.md) and start Postroom again.", null);
    }
}
