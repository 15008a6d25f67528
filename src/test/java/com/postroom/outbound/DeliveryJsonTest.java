package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The delivery path's hand-written JSON reads back as the values it was given, whatever a server puts in a reply. */
class DeliveryJsonTest {

    private final JsonMapper mapper = JsonMapper.builder().build();

    @Test
    void aRecipientsRepliesReadBackExactly() {
        String hostile = "550 5.1.1 \"quoted\" back\\slash\r\nline\u0000nul\t tab é 日本 \uD83D\uDCE7 </script>";
        SmtpConnection.Result result = new SmtpConnection.Result(List.of(
                new SmtpConnection.RecipientResult("a@example.org", 550, hostile),
                new SmtpConnection.RecipientResult("b@example.org", 250, "250 ok")), 550, hostile);

        JsonNode tree = mapper.readTree(DeliveryWorker.recipientsJson(result));

        assertThat(tree).hasSize(2);
        assertThat(tree.get(0).get("address").asString()).isEqualTo("a@example.org");
        assertThat(tree.get(0).get("code").asInt()).isEqualTo(550);
        assertThat(tree.get(0).get("reply").asString()).isEqualTo(hostile);
        assertThat(tree.get(0).get("accepted").asBoolean()).isFalse();
        assertThat(tree.get(1).get("accepted").asBoolean()).isTrue();
    }

    @Test
    void nullsAndListsAreJsonsOwn() {
        StringBuilder out = new StringBuilder("{\"a\":");
        Json.string(out, null);
        Json.strings(out.append(",\"b\":"), List.of("x\"y", "")).append(",\"c\":");
        Json.strings(out, List.of()).append('}');

        JsonNode tree = mapper.readTree(out.toString());

        assertThat(tree.get("a").isNull()).isTrue();
        assertThat(tree.get("b").get(0).asString()).isEqualTo("x\"y");
        assertThat(tree.get("b").get(1).asString()).isEmpty();
        assertThat(tree.get("c")).isEmpty();
    }
}
