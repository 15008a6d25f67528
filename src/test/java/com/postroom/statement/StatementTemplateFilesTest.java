package com.postroom.statement;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.postroom.config.ConfigurationError;

/** TEMPLATES_DIR's statement files are checked at start: Thymeleaf from an earlier version, or a Mustachio mistake. */
class StatementTemplateFilesTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Files.createDirectories(dir.resolve("statements"));
        return Files.writeString(dir.resolve("statements").resolve(name), text);
    }

    @Test
    void mustachioFilesPass() throws Exception {
        write("initial_statement.html", "<p>Dear {{PatientName}},</p>{{{StatementDetails}}}");
        write("initial_statement.txt", "Dear {{PatientName}},\n{{#charges}}{{service}}\n{{/charges}}");
        assertThatCode(() -> StatementTemplates.checkOverrides(dir)).doesNotThrowAnyException();
    }

    @Test
    void aThymeleafFileFromAnEarlierVersionStopsTheStartWithWhatToDo() throws Exception {
        write("final_notice.html", "<p>Dear <span th:text=\"${PatientName}\">Patient</span></p>");
        assertThatThrownBy(() -> StatementTemplates.checkOverrides(dir)).isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("final_notice.html is a Thymeleaf template").hasMessageContaining("Mustachio");
    }

    @Test
    void aThymeleafTextFileIsRecognisedToo() throws Exception {
        write("final_notice.txt", "Dear [(${PatientName})],");
        assertThatThrownBy(() -> StatementTemplates.checkOverrides(dir)).hasMessageContaining("Thymeleaf");
    }

    @Test
    void aMustachioMistakeIsNamedWithItsLineAndColumn() throws Exception {
        write("second_notice.html", "<p>Dear {{PatientName}}</p>\n{{#charges}}<p>{{service}}</p>");
        assertThatThrownBy(() -> StatementTemplates.checkOverrides(dir)).isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("second_notice.html has a mistake at line 2, column 1");
    }

    @Test
    void noStatementsFolderIsFine() {
        assertThatCode(() -> StatementTemplates.checkOverrides(dir)).doesNotThrowAnyException();
    }
}
