package dev.resilienthttp.integration;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericDeclaration;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The public API of a Java module as text: one section per public or protected type of the
 * packages its {@code module-info.class} exports to everyone (a qualified export is not public
 * API), with the type's modifiers, type parameters, superclass, interfaces and permitted
 * subclasses, then one line per public or protected member: enum constants, record components,
 * fields, constructors and methods, with generic signatures, modifiers and {@code throws}.
 * Types and members are sorted, so the text changes only when the API does.
 *
 * <p>Read with reflection from the compiled classes (a jar or a classes directory), loaded
 * without initialising them. Synthetic members and bridge methods are left out: the compiler
 * made them, nobody declared them.
 */
final class ApiDump {

  private ApiDump() {}

  /** The exported API of the module whose classes are at {@code location}, loaded by {@code loader}. */
  static String of(Path location, ClassLoader loader) throws IOException {
    ModuleDescriptor module = descriptor(location);
    Set<String> exported = module.exports().stream()
        .filter(export -> !export.isQualified())
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
    List<Class<?>> types = new ArrayList<>();
    for (String className : classNames(location, exported)) {
      try {
        types.add(Class.forName(className, false, loader));
      } catch (ClassNotFoundException e) {
        throw new IOException(className + " is in " + location + " but " + loader + " cannot load it", e);
      }
    }
    return of(module.name(), exported, types);
  }

  /** The API among {@code types} of module {@code moduleName}, which exports {@code exported}. */
  static String of(String moduleName, Set<String> exported, List<Class<?>> types) {
    StringBuilder out = new StringBuilder();
    out.append("module ").append(moduleName).append('\n');
    for (String pkg : new TreeSet<>(exported)) {
      out.append("  exports ").append(pkg).append('\n');
    }
    List<Class<?>> api = types.stream()
        .filter(type -> exported.contains(type.getPackageName()) && isApi(type))
        .sorted((a, b) -> a.getName().compareTo(b.getName()))
        .collect(Collectors.toList());
    for (Class<?> type : api) {
      out.append('\n').append(header(type)).append('\n');
      for (String member : members(type)) {
        out.append("  ").append(member).append('\n');
      }
    }
    return out.toString();
  }

  /** Reads {@code module-info.class} at the root of a jar or a classes directory. */
  static ModuleDescriptor descriptor(Path location) throws IOException {
    if (Files.isDirectory(location)) {
      Path file = location.resolve("module-info.class");
      if (!Files.isRegularFile(file)) {
        throw new IOException("no module-info.class in " + location);
      }
      try (InputStream in = Files.newInputStream(file)) {
        return ModuleDescriptor.read(in);
      }
    }
    try (ZipFile jar = new ZipFile(location.toFile())) {
      ZipEntry entry = jar.getEntry("module-info.class");
      if (entry == null) {
        throw new IOException("no module-info.class in " + location);
      }
      try (InputStream in = jar.getInputStream(entry)) {
        return ModuleDescriptor.read(in);
      }
    }
  }

  /** The binary names of the classes directly in {@code packages} (not in sub-packages). */
  private static List<String> classNames(Path location, Set<String> packages) throws IOException {
    List<String> entries = new ArrayList<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.walk(location)) {
        files.filter(Files::isRegularFile)
            .map(file -> location.relativize(file).toString().replace(location.getFileSystem().getSeparator(), "/"))
            .forEach(entries::add);
      }
    } else {
      try (ZipFile jar = new ZipFile(location.toFile())) {
        jar.stream().filter(entry -> !entry.isDirectory()).map(ZipEntry::getName).forEach(entries::add);
      }
    }
    List<String> names = new ArrayList<>();
    for (String entry : entries) {
      int slash = entry.lastIndexOf('/');
      if (!entry.endsWith(".class") || slash < 0) {
        continue;
      }
      String pkg = entry.substring(0, slash).replace('/', '.');
      String simple = entry.substring(slash + 1, entry.length() - ".class".length());
      if (packages.contains(pkg) && !simple.equals("package-info")) {
        names.add(pkg + "." + simple);
      }
    }
    Collections.sort(names);
    return names;
  }

  /** Public or protected, declared by name (not anonymous, local or synthetic), inside API types only. */
  private static boolean isApi(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic() || !visible(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String header(Class<?> type) {
    StringBuilder line = new StringBuilder();
    int modifiers = type.getModifiers();
    String kind;
    if (type.isAnnotation()) {
      kind = "@interface";
      modifiers &= ~(Modifier.INTERFACE | Modifier.ABSTRACT);
    } else if (type.isInterface()) {
      kind = "interface";
      modifiers &= ~(Modifier.INTERFACE | Modifier.ABSTRACT);
    } else if (type.isEnum()) {
      kind = "enum";
      modifiers &= ~Modifier.FINAL;
    } else if (type.isRecord()) {
      kind = "record";
      modifiers &= ~Modifier.FINAL;
    } else {
      kind = "class";
    }
    line.append(Modifier.toString(modifiers & (Modifier.classModifiers() | Modifier.STATIC)));
    if (type.isSealed()) {
      line.append(" sealed");
    } else if (nonSealed(type)) {
      line.append(" non-sealed");
    }
    line.append(' ').append(kind).append(' ').append(type.getName()).append(typeParameters(type));
    // A superclass that is not public is an implementation detail: name the first public one.
    Class<?> hidden = type;
    while (hidden.getSuperclass() != null && !Modifier.isPublic(hidden.getSuperclass().getModifiers())) {
      hidden = hidden.getSuperclass();
    }
    Type superclass = hidden.getGenericSuperclass();
    if (superclass != null && !type.isInterface() && !type.isEnum() && !type.isRecord()
        && superclass != Object.class) {
      line.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (type.isAnnotation()) {
      interfaces = new Type[0];
    }
    if (interfaces.length > 0) {
      line.append(type.isInterface() ? " extends " : " implements ")
          .append(Arrays.stream(interfaces).map(Type::getTypeName).sorted().collect(Collectors.joining(", ")));
    }
    if (type.isSealed()) {
      line.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getName).sorted().collect(Collectors.joining(", ")));
    }
    return line.toString().strip();
  }

  /** A direct subtype of a sealed type that is neither final nor sealed itself. */
  private static boolean nonSealed(Class<?> type) {
    if (Modifier.isFinal(type.getModifiers()) || type.isSealed()) {
      return false;
    }
    Class<?> superclass = type.getSuperclass();
    if (superclass != null && superclass.isSealed()) {
      return true;
    }
    return Arrays.stream(type.getInterfaces()).anyMatch(Class::isSealed);
  }

  private static List<String> members(Class<?> type) {
    List<String> constants = new ArrayList<>();
    List<String> components = new ArrayList<>();
    TreeSet<String> others = new TreeSet<>();
    if (type.isEnum()) {
      // In declaration order, which is the ordinals' order (part of an enum's contract).
      for (Field field : type.getDeclaredFields()) {
        if (field.isEnumConstant()) {
          constants.add("enum constant " + field.getName());
        }
      }
    }
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        components.add("record component " + component.getGenericType().getTypeName() + " " + component.getName());
      }
    }
    for (Field field : type.getDeclaredFields()) {
      if (field.isSynthetic() || field.isEnumConstant() || !visible(field.getModifiers())) {
        continue;
      }
      others.add(Modifier.toString(field.getModifiers() & Modifier.fieldModifiers()) + " "
          + field.getGenericType().getTypeName() + " " + field.getName());
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (constructor.isSynthetic() || !visible(constructor.getModifiers())) {
        continue;
      }
      others.add(modifiers(constructor.getModifiers() & Modifier.constructorModifiers())
          + typeParameters(constructor) + type.getSimpleName() + parameters(constructor) + exceptions(constructor));
    }
    // Public methods inherited from a superclass that is not public are part of this type's API
    // (javac reaches them through synthetic bridges, which are skipped below).
    List<Method> methods = new ArrayList<>(Arrays.asList(type.getDeclaredMethods()));
    for (Class<?> up = type.getSuperclass(); up != null && !Modifier.isPublic(up.getModifiers());
        up = up.getSuperclass()) {
      methods.addAll(Arrays.asList(up.getDeclaredMethods()));
    }
    for (Method method : methods) {
      if (method.isSynthetic() || method.isBridge() || !visible(method.getModifiers())) {
        continue;
      }
      int modifiers = method.getModifiers() & Modifier.methodModifiers();
      if (type.isInterface()) {
        modifiers &= ~Modifier.ABSTRACT; // implied, as in source
      }
      String prefix = modifiers(modifiers) + (method.isDefault() ? "default " : "");
      others.add(prefix + typeParameters(method) + method.getGenericReturnType().getTypeName() + " "
          + method.getName() + parameters(method) + exceptions(method));
    }
    List<String> all = new ArrayList<>(constants);
    all.addAll(components);
    all.addAll(others);
    return all;
  }

  /** Modifiers followed by a space, or nothing. */
  private static String modifiers(int modifiers) {
    String text = Modifier.toString(modifiers);
    return text.isEmpty() ? "" : text + " ";
  }

  /** {@code <T, U extends Bound>}, followed by a space for a method or constructor; or nothing. */
  private static String typeParameters(GenericDeclaration declaration) {
    TypeVariable<?>[] variables = declaration.getTypeParameters();
    if (variables.length == 0) {
      return "";
    }
    String text = Arrays.stream(variables).map(variable -> {
      Type[] bounds = variable.getBounds();
      if (bounds.length == 1 && bounds[0] == Object.class) {
        return variable.getName();
      }
      return variable.getName() + " extends "
          + Arrays.stream(bounds).map(Type::getTypeName).collect(Collectors.joining(" & "));
    }).collect(Collectors.joining(", ", "<", ">"));
    return declaration instanceof Class ? text : text + " ";
  }

  private static String parameters(Executable executable) {
    Type[] types = executable.getGenericParameterTypes();
    // An inner class's constructor may report the enclosing instance in only one of the two.
    if (types.length != executable.getParameterCount()) {
      types = executable.getParameterTypes();
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      String name = types[i].getTypeName();
      if (executable.isVarArgs() && i == types.length - 1 && name.endsWith("[]")) {
        name = name.substring(0, name.length() - 2) + "...";
      }
      names.add(name);
    }
    return names.stream().collect(Collectors.joining(", ", "(", ")"));
  }

  private static String exceptions(Executable executable) {
    Type[] thrown = executable.getGenericExceptionTypes();
    if (thrown.length == 0) {
      return "";
    }
    return " throws " + Arrays.stream(thrown).map(Type::getTypeName).sorted().collect(Collectors.joining(", "));
  }
}
