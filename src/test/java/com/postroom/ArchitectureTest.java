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

    @Test
    void modulesHaveNoCyclesAndUseOnlyEachOthersPublicRooms() {
        MODULES.verify();
    }

    @Test
    void theGroundFloorUsesNothingAboveIt() {
        List<String> ground = List.of("problem", "policy", "mail", "mime", "store");
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
