import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.pcap4j.packet.namednumber.NamedNumber;

/**
 * Prints every named number Pcap4J defines, as "Class<TAB>value<TAB>name" lines: each public static final
 * constant of each class in org.pcap4j.packet.namednumber of the jar given as the first argument. Classes
 * whose constants are numbered per type (ICMP codes) print the type and the value as "type/value".
 * Then each constant's Java name, as "=Class<TAB>FIELD<TAB>value" lines (Python's EtherType.IPV4).
 */
public class Pcap4jNames {
  public static void main(String[] args) throws Exception {
    List<String> classes = new ArrayList<>();
    try (JarFile jar = new JarFile(args[0])) {
      for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (name.startsWith("org/pcap4j/packet/namednumber/") && name.endsWith(".class") && !name.contains("$")) {
          classes.add(name.substring(0, name.length() - 6).replace('/', '.'));
        }
      }
    }
    Collections.sort(classes);
    List<String> constants = new ArrayList<>();
    for (String className : classes) {
      Class<?> c = Class.forName(className);
      Map<?, ?> registry = registry(c);
      constants.addAll(constants(c));
      if (registry != null) {  // what getInstance() finds: where two constants share a value, the later
        print(c.getSimpleName(), "", registry);
        continue;
      }
      for (Field f : c.getDeclaredFields()) {
        int m = f.getModifiers();
        if (!Modifier.isStatic(m) || !Modifier.isPublic(m) || !NamedNumber.class.isAssignableFrom(f.getType())) {
          continue;
        }
        NamedNumber<?, ?> n = (NamedNumber<?, ?>) f.get(null);
        System.out.println(c.getSimpleName() + "\t" + n.valueAsString() + "\t" + n.name());
      }
    }
    for (String line : constants) {
      System.out.println(line);
    }
  }

  /** "=Class<TAB>FIELD<TAB>value" for each public static final constant of the class, in declared order. */
  private static List<String> constants(Class<?> c) throws IllegalAccessException {
    List<String> lines = new ArrayList<>();
    for (Field f : c.getDeclaredFields()) {
      int m = f.getModifiers();
      if (Modifier.isStatic(m) && Modifier.isPublic(m) && c.isAssignableFrom(f.getType())) {
        NamedNumber<?, ?> n = (NamedNumber<?, ?>) f.get(null);
        lines.add("=" + c.getSimpleName() + "\t" + f.getName() + "\t" + n.valueAsString());
      }
    }
    return lines;
  }

  /** The class's static registry (value to constant, or type to value to constant), or null. */
  private static Map<?, ?> registry(Class<?> c) throws IllegalAccessException {
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && Map.class.isAssignableFrom(f.getType())) {
        f.setAccessible(true);
        Map<?, ?> map = (Map<?, ?>) f.get(null);
        Object first = map.isEmpty() ? null : map.values().iterator().next();
        if (first instanceof Map || first instanceof NamedNumber) {
          return map;
        }
      }
    }
    return null;
  }

  /** One line per constant of a registry: its value (after its type's, for a map of maps), its name. */
  private static void print(String className, String prefix, Map<?, ?> map) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      if (e.getValue() instanceof Map) {
        String type = key instanceof NamedNumber ? ((NamedNumber<?, ?>) key).valueAsString() : String.valueOf(key);
        print(className, prefix + type + "/", (Map<?, ?>) e.getValue());
      } else {
        NamedNumber<?, ?> n = (NamedNumber<?, ?>) e.getValue();
        lines.add(className + "\t" + prefix + n.valueAsString() + "\t" + n.name());
      }
    }
    Collections.sort(lines);
    for (String line : lines) {
      System.out.println(line);
    }
  }
}
