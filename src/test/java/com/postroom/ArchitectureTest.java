package com.postroom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * The floor plan, checked by Spring Modulith instead of by hand: every top-level package under com.postroom is a
 * module, no two modules depend on each other in a cycle, and no module reaches into another's sub-packages. The
 * diagrams in docs/architecture/modules are written from the same model, so they cannot drift from the code.
 */
class ArchitectureTest {

    static final ApplicationModules MODULES = ApplicationModules.of(PostroomApplication.class);
    static final com.tngtech.archunit.core.domain.JavaClasses CLASSES = new com.tngtech.archunit.core.importer
            .ClassFileImporter().withImportOption(com.tngtech.archunit.core.importer.ImportOption.Predefined
                    .DO_NOT_INCLUDE_TESTS).importPackages("com.postroom");
    static final List<String> CORE = List.of("problem", "policy", "mail", "mime", "store", "org", "audit",
            "compliance", "outbound", "inbound", "deliverability");

    @Test
    void modulesHaveNoCyclesAndUseOnlyEachOthersPublicRooms() {
        MODULES.verify();
    }

    @Test
    void theGroundFloorUsesNothingAboveIt() {
        List<String> ground = List.of("problem", "policy", "mail", "mime", "store", "template");
        for (String name : ground) {
            ApplicationModule module = MODULES.getModuleByName(name).orElseThrow();
            assertThat(module.getDirectDependencies(MODULES).stream().map(d -> d.getTargetModule().getName())
                    .filter(target -> !ground.contains(target)).distinct().toList())
                    .as(name + " depends only on the ground floor").isEmpty();
        }
    }

    @Test
    void everyModuleSaysWhatItHoldsAndMayUse() {
        MODULES.forEach(m -> assertThat(Path.of("src/main/java/" + m.getBasePackage().getName().replace('.', '/')
                + "/package-info.java")).as("package-info.java of " + m.getName()).exists());
    }

    /** The domain's rooms speak the domain: only their controllers know HTTP. */
    @Test
    void theCoreThrowsDomainProblemsNotHttpStatuses() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().resideInAnyPackage(CORE.stream().map(m -> "com.postroom." + m + "..").toArray(String[]::new))
                .and().areNotAnnotatedWith(org.springframework.web.bind.annotation.RestController.class)
                .and().areNotAnnotatedWith(org.springframework.stereotype.Controller.class)
                .and().areNotAnnotatedWith(org.springframework.context.annotation.Configuration.class) // the wiring
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.http..", "com.postroom.api..")
                .check(CLASSES);
    }

    /** Controllers and pages call services; SQL lives in the rooms that own the tables. */
    @Test
    void noControllerRunsSql() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().areAnnotatedWith(org.springframework.web.bind.annotation.RestController.class)
                .or().areAnnotatedWith(org.springframework.stereotype.Controller.class)
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.jdbc..")
                .check(CLASSES);
    }

    /**
     * One owner for the message tables: every INSERT, UPDATE or DELETE of a message, its locations, raw copies,
     * attachments, labels and threads is written in {@code store}, where the rules that tie them together live.
     */
    @Test
    void onlyTheStoreWritesTheMessageTables() throws Exception {
        java.util.regex.Pattern write = java.util.regex.Pattern.compile("(?i)(insert\\s+into|update|delete\\s+from)\\s+"
                + "(email_message|email_message_label|message_location|message_raw|email_attachment|email_thread|"
                + "email_label)\\b");
        List<String> writers;
        try (var files = Files.walk(Path.of("src/main/java/com/postroom"))) {
            writers = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.startsWith(Path.of("src/main/java/com/postroom/store")))
                    .filter(f -> {
                        try {
                            return write.matcher(Files.readString(f)).find();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Path::toString).toList();
        }
        assertThat(writers).as("classes outside store writing the message tables").isEmpty();
    }

    /** Writes docs/architecture/modules (PlantUML, one diagram of all modules and one per module); run by the suite. */
    @Test
    void writesTheModuleDiagrams() throws Exception {
        Path out = Path.of("docs/architecture/modules"); // Documenter empties its folder first
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(out.toString()))
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml();
        // Modulith lists relations in the order it met them, which varies between builds; sorted, a diagram changes
        // only when the architecture does.
        try (var files = Files.list(out)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".puml")).toList()) {
                List<String> lines = Files.readAllLines(file);
                List<String> rels = lines.stream().filter(l -> l.startsWith("Rel(")).sorted().toList();
                java.util.Iterator<String> sorted = rels.iterator();
                Files.write(file, lines.stream().map(l -> l.startsWith("Rel(") ? sorted.next() : l).toList());
            }
        }
        assertThat(Files.list(out).filter(p -> p.toString().endsWith(".puml")).count()).isPositive();
    }
}
