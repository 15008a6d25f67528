package com.postroom.postmarkapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.outbound.Suppressions;

/**
 * A stream's suppressions in Postmark's shape: {@code GET /message-streams/{stream}/suppressions/dump}, {@code POST
 * /message-streams/{stream}/suppressions} (suppress, "ManualSuppression") and {@code POST .../suppressions/delete}.
 * Bounces and complaints suppress every stream, so they are listed under each; an unsubscribe or a manual
 * suppression belongs to its stream only.
 */
@RestController
class SuppressionApi {

    private final Suppressions suppressions;
    private final JsonMapper json;

    SuppressionApi(Suppressions suppressions, JsonMapper json) {
        this.suppressions = suppressions;
        this.json = json;
    }

    @GetMapping({"/message-streams/{stream}/suppressions/dump", "/message-streams/{stream}/suppressions/dump/"})
    Map<String, Object> dump(HttpServletRequest request, @PathVariable String stream) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        known(stream);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Suppressions.Entry e : suppressions.forStream(server.orgId(), stream)) {
            String reason = e.reason().toLowerCase(Locale.ROOT);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("EmailAddress", e.address());
            s.put("SuppressionReason", reason.contains("complaint") ? "SpamComplaint"
                    : e.source().equals("unsubscribe") || e.source().equals("postmark-api") ? "ManualSuppression"
                    : "HardBounce");
            s.put("Origin", e.source().equals("unsubscribe") ? "Recipient" : e.source().equals("postmark-api")
                    ? "Customer" : "Admin");
            s.put("CreatedAt", PostmarkReads.ISO.format(e.createdAt()));
            out.add(s);
        }
        return Map.of("Suppressions", out);
    }

    @PostMapping({"/message-streams/{stream}/suppressions", "/message-streams/{stream}/suppressions/"})
    Map<String, Object> suppress(HttpServletRequest request, @PathVariable String stream,
                                 @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        known(stream);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String address : addresses(body)) {
            if (!isAddress(address)) {
                out.add(invalid(address));
                continue;
            }
            suppressions.add(server.orgId(), address, "suppressed through the Postmark API", "postmark-api", stream);
            out.add(status(address, "Suppressed"));
        }
        return Map.of("Suppressions", out);
    }

    @PostMapping({"/message-streams/{stream}/suppressions/delete",
        "/message-streams/{stream}/suppressions/delete/"})
    Map<String, Object> delete(HttpServletRequest request, @PathVariable String stream,
                               @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        known(stream);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String address : addresses(body)) {
            if (!isAddress(address)) {
                out.add(invalid(address));
                continue;
            }
            // As Postmark: a spam complaint cannot be reactivated through the API.
            boolean removed = suppressions.removeFromStream(server.orgId(), address, stream);
            out.add(removed ? status(address, "Deleted") : Map.of("EmailAddress", address, "Status", "Failed",
                    "Message", "The address is not suppressed on this stream, or it complained of spam."));
        }
        return Map.of("Suppressions", out);
    }

    /**
     * As Postmark answers a list with a bad address in it: that entry "Failed" with the reason, the others done. A
     * client that suppresses a list of bounced addresses does not lose the good ones to one typo.
     */
    private static Map<String, Object> invalid(String address) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("EmailAddress", address);
        s.put("Status", "Failed");
        s.put("Message", "An invalid email address was provided: '" + address + "'.");
        return s;
    }

    /** Something@domain.tld without spaces or control characters (a NUL would not even be stored). */
    private static boolean isAddress(String address) {
        return address.matches("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}]+\\.[^@\\s\\p{Cntrl}]+");
    }

    private static Map<String, Object> status(String address, String status) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("EmailAddress", address);
        s.put("Status", status);
        s.put("Message", null);
        return s;
    }

    private static void known(String stream) {
        if (!PostmarkSending.STREAMS.contains(stream)) {
            throw PostmarkError.invalid(PostmarkError.STREAM_NOT_FOUND, "The message stream '" + stream
                    + "' was not found; use 'outbound' or 'broadcast'.");
        }
    }

    private List<String> addresses(byte[] body) {
        JsonNode node = PostmarkJson.object(json, body);
        JsonNode list = PostmarkJson.get(node, "Suppressions");
        if (list == null || !list.isArray()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Send {\"Suppressions\": [{\"EmailAddress\": "
                    + "\"...\"}]}.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : list.values()) {
            out.add(PostmarkJson.get(s, "EmailAddress").asString("").strip().toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
