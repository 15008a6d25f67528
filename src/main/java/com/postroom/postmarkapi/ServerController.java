package com.postroom.postmarkapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.mail.EmailAddress;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;

/**
 * {@code /api/postmark/servers}: an admin makes, lists and revokes the organization's Postmark server tokens. The
 * token is in the answer to the POST only.
 */
@RestController
class ServerController {

    private final PostmarkServers servers;

    ServerController(PostmarkServers servers) {
        this.servers = servers;
    }

    /**
     * {@code search_bodies}: whether the text of the server's mail is indexed for search (default true; without it the
     * mail is found by subject, people and attachment names, as Postmark finds it by recipient, subject and tag).
     */
    record NewServer(String name, List<String> senders,
                     @com.fasterxml.jackson.annotation.JsonProperty("search_bodies") Boolean searchBodies) {
    }

    record Change(@com.fasterxml.jackson.annotation.JsonProperty("search_bodies") Boolean searchBodies) {
    }

    @PostMapping("/api/postmark/servers")
    ResponseEntity<Map<String, Object>> create(@RequestBody NewServer body) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        String name = body.name() == null ? "" : body.name().strip();
        if (name.isEmpty() || name.length() > 200) {
            throw Problem.refused("'name' is required (1 to 200 characters): say which application uses the token.");
        }
        List<String> senders = body.senders() == null ? List.of() : body.senders();
        for (String s : senders) {
            if (s == null || !(s.contains("@") ? validAddress(s.strip())
                    : s.strip().matches("(?i)[a-z0-9-]+(\\.[a-z0-9-]+)+"))) {
                throw Problem.refused("'senders' lists addresses (billing@example.com) or domains (example.com) the "
                        + "token may send from; '" + s + "' is neither.");
            }
        }
        PostmarkServers.Issued issued = servers.create(caller.orgId(), caller.userId(), name, senders,
                !Boolean.FALSE.equals(body.searchBodies()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", issued.id());
        out.put("name", issued.name());
        out.put("token", issued.token());
        out.put("senders", issued.senders());
        out.put("search_bodies", issued.searchBodies());
        out.put("note", "Keep the token now: it is not shown again. Postmark clients send it as "
                + "X-Postmark-Server-Token; point their API host at Postroom.");
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    private static boolean validAddress(String s) {
        try {
            EmailAddress.parse(s);
            return true;
        } catch (EmailAddress.InvalidAddressException e) {
            return false;
        }
    }

    @GetMapping("/api/postmark/servers")
    Map<String, Object> list() {
        Caller caller = Caller.current().require(Caller.ADMIN);
        return Map.of("servers", servers.list(caller.orgId()));
    }

    /** Whether the text of the mail the server sends from now on is indexed for search. */
    @PatchMapping("/api/postmark/servers/{id}")
    Map<String, Object> change(@PathVariable long id, @RequestBody Change body) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        if (body.searchBodies() == null) {
            throw Problem.refused("Send {\"search_bodies\": true} or false: whether the text of the mail this server "
                    + "sends from now on is indexed for search.");
        }
        if (!servers.searchBodies(caller.orgId(), id, body.searchBodies())) {
            throw Problem.notFound("No active Postmark server " + id + " in this organization.");
        }
        return Map.of("id", id, "search_bodies", body.searchBodies(), "note", "Applies to mail the server sends from "
                + "now on; mail it sent before keeps the search document it was stored with.");
    }

    @DeleteMapping("/api/postmark/servers/{id}")
    Map<String, Object> revoke(@PathVariable long id) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        if (!servers.revoke(caller.orgId(), id)) {
            throw Problem.notFound("No active Postmark server " + id + " in this organization.");
        }
        return Map.of("status", "revoked", "id", id);
    }
}
