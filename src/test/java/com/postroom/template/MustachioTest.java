package com.postroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Postmark's template language as its documentation shows it, and the mistakes people make in it. */
class MustachioTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static String render(String template, String model, boolean html) {
        Mustachio.Parsed parsed = Mustachio.parse(template);
        assertThat(parsed.problems()).isEmpty();
        JsonNode m = JSON.readTree(model);
        return Mustachio.render(parsed, m, html);
    }

    @Test
    void variablesAreEscapedInHtmlOnlyAndTripleBracesAreRaw() {
        String model = "{\"name\": \"Roe & <Jane>\", \"link\": \"<a href='x'>pay</a>\", \"n\": 12.5}";
        assertThat(render("Hi {{ name }}: {{{link}}} {{& link}} ${{n}}", model, true))
                .isEqualTo("Hi Roe &amp; &lt;Jane&gt;: <a href='x'>pay</a> <a href='x'>pay</a> $12.5");
        assertThat(render("Hi {{name}}", model, false)).isEqualTo("Hi Roe & <Jane>");
        assertThat(render("[{{missing}}]", model, true)).isEqualTo("[]");
    }

    @Test
    void pathsSectionsListsAndInvertedSections() {
        String model = """
                {"patient": {"name": "Jane", "address": {"city": "Springfield"}},
                 "charges": [{"service": "ALS", "amount": "1250.50"}, {"service": "Mileage", "amount": "80.00"}],
                 "paid": false, "company": "Acme EMS", "notes": [], "flag": true}
                """;
        assertThat(render("{{patient.name}} of {{patient.address.city}}", model, true))
                .isEqualTo("Jane of Springfield");
        assertThat(render("{{#charges}}{{service}} ${{amount}} ({{../company}}); {{/charges}}", model, true))
                .isEqualTo("ALS $1250.50 (Acme EMS); Mileage $80.00 (Acme EMS); ");
        assertThat(render("{{#each charges}}[{{service}}]{{/each}}", model, true)).isEqualTo("[ALS][Mileage]");
        assertThat(render("{{#patient}}{{name}}, {{company}}{{/patient}}", model, true)).isEqualTo("Jane, Acme EMS");
        assertThat(render("{{^paid}}Balance due{{/paid}}{{#paid}}Paid{{/paid}}", model, true))
                .isEqualTo("Balance due");
        assertThat(render("{{^notes}}No notes{{/notes}}{{#flag}}!{{/flag}}", model, true)).isEqualTo("No notes!");
        assertThat(render("{{#charges}}{{.}}{{/charges}}", "{\"charges\": [\"a\", \"b\"]}", true)).isEqualTo("ab");
        assertThat(render("a{{! a comment }}b", "{}", true)).isEqualTo("ab");
    }

    @Test
    void brokenTemplatesAreFoundWithLineAndColumn() {
        Mustachio.Parsed unclosed = Mustachio.parse("Hello\n  {{#charges}}{{service}}");
        assertThat(unclosed.problems()).hasSize(1);
        assertThat(unclosed.problems().get(0).message()).contains("'charges' is never closed");
        assertThat(unclosed.problems().get(0).line()).isEqualTo(2);
        assertThat(unclosed.problems().get(0).column()).isEqualTo(3);

        Mustachio.Parsed crossed = Mustachio.parse("{{#a}}{{#b}}{{/a}}{{/b}}");
        assertThat(crossed.problems()).isNotEmpty();
        assertThat(crossed.problems().get(0).message()).contains("closes 'b'");

        assertThat(Mustachio.parse("{{/orphan}}").problems().get(0).message()).contains("never opened");
        assertThat(Mustachio.parse("Hi {{name").problems().get(0).message()).contains("never closed");
    }
}
