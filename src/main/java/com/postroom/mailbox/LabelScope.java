package com.postroom.mailbox;

import java.util.Optional;

import org.springframework.stereotype.Component;

import com.postroom.problem.Problem;
import com.postroom.store.Labels;
import com.postroom.store.View;

/**
 * What a list of a view and a label shows, one rule for the web UI and the API (they had a copy each, which had
 * drifted apart): a label shows its mail wherever it is, as Gmail does, so the default view (the inbox) widens to
 * all mail; any other view named with it narrows the label to that view. An empty label is 400, an unknown one 404.
 */
@Component
class LabelScope {

    record Scope(View view, Optional<String> label, String title) {
    }

    private final Labels labels;

    LabelScope(Labels labels) {
        this.labels = labels;
    }

    Scope of(long orgId, View view, Optional<String> label) {
        if (label.isEmpty()) {
            return new Scope(view, Optional.empty(), view.title());
        }
        String slug = Labels.slugOf(label.get()).orElseThrow(() -> Problem.badInput("label is empty."));
        Labels.Label found = labels.bySlug(orgId, slug).orElseThrow(() -> Problem.notFound("Label not found"));
        return new Scope(view == View.INBOX ? View.ALL : view, Optional.of(slug), found.name());
    }
}
