package dev.resilienthttp.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What is published and how: the BOM manages exactly the published artifacts at the project's
 * version and nothing else (it has no parent to inherit other managed dependencies from); every
 * other module of the build is never deployed.
 */
class PublicationTest {

  private static final List<String> PUBLISHED =
      List.of("resilient-http-core", "resilient-http", "resilient-http-testing");

  @Test
  void theBomManagesEveryPublishedArtifactAtTheProjectVersionAndNothingElse() throws Exception {
    Element root = pom(Repository.root().resolve("pom.xml"));
    Element bom = pom(Repository.root().resolve("bom/pom.xml"));

    assertThat(child(bom, "parent")).as("the BOM inherits nothing").isNull();
    assertThat(text(bom, "artifactId")).isEqualTo("resilient-http-bom");
    assertThat(text(bom, "packaging")).isEqualTo("pom");
    assertThat(text(bom, "groupId")).isEqualTo(text(root, "groupId"));
    assertThat(text(bom, "version")).isEqualTo(text(root, "version"));
    Map<String, String> managed = new LinkedHashMap<>();
    for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.resilienthttp");
      managed.put(text(dependency, "artifactId"), text(dependency, "version"));
    }
    assertThat(managed.keySet()).containsExactlyInAnyOrderElementsOf(PUBLISHED);
    assertThat(managed.values()).containsOnly("${project.version}");
    for (String field : List.of("url", "licenses", "developers", "scm")) {
      assertThat(child(bom, field)).as("the BOM's own %s (Maven Central requires it)", field).isNotNull();
    }
  }

  @Test
  void everyModuleThatIsNotPublishedSkipsDeployment() throws Exception {
    Element root = pom(Repository.root().resolve("pom.xml"));
    List<String> modules = new ArrayList<>();
    for (Element module : children(child(root, "modules"), "module")) {
      modules.add(module.getTextContent().strip());
    }
    assertThat(modules).contains("core", "http", "testing", "bom", "cli", "benchmarks")
        .endsWith("integration-tests");

    for (String module : modules) {
      Element pom = pom(Repository.root().resolve(module).resolve("pom.xml"));
      String artifact = text(pom, "artifactId");
      Element properties = child(pom, "properties");
      if (PUBLISHED.contains(artifact) || artifact.equals("resilient-http-bom")) {
        assertThat(properties == null ? null : child(properties, "maven.deploy.skip")).as(module).isNull();
      } else {
        assertThat(text(properties, "maven.deploy.skip")).as(module).isEqualTo("true");
        assertThat(text(properties, "skipPublishing")).as(module).isEqualTo("true");
      }
    }
  }

  private static Element pom(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    Document document = factory.newDocumentBuilder().parse(file.toFile());
    return document.getDocumentElement();
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element && ((Element) node).getTagName().equals(name)) {
        found.add((Element) node);
      }
    }
    return found;
  }

  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().strip();
  }
}
