package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import com.postroom.config.Env;
import com.postroom.config.Keys;
import com.postroom.config.PostroomSettings;

class MessageIdsTest {

    private static MessageIds withKey(String key) {
        MockEnvironment env = new MockEnvironment().withProperty("POSTROOM_SECRET_KEY", key);
        return new MessageIds(new Keys(PostroomSettings.read(new Env(env))));
    }

    @Test
    void ourIdsCarryATagThatOnlyOurKeyReproduces() {
        MessageIds ours = withKey("a".repeat(40));
        String id = ours.create("Example.COM");
        assertThat(id).startsWith("<").endsWith("@example.com>");
        assertThat(ours.isOurs(id)).isTrue();
        assertThat(withKey("b".repeat(40)).isOurs(id)).isFalse();
        assertThat(ours.isOurs(id.replaceFirst("<.", "<x"))).isFalse();
        assertThat(ours.isOurs("<CAF=random@mail.gmail.com>")).isFalse();
        assertThat(ours.create("example.com")).isNotEqualTo(id);
    }
}
