# Sourced by ./mvnw, ./meshwire and .ci/run: point JAVA_HOME at a JDK 25 or newer.
# Looks at JAVA_HOME, then the java on PATH, then every JDK under /usr/lib/jvm and /opt.
# Fails with a message that names the fix when none is found.

meshwire_java_major() {
  # Prints the major version of the java binary $1 ("17", "25", ...), or nothing.
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

meshwire_find_jdk25() {
  local candidate major javac
  for candidate in "${JAVA_HOME:-}" \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
                   /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    javac="$candidate/bin/javac"
    [ -x "$javac" ] || continue
    major=$(meshwire_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

if MESHWIRE_JDK=$(meshwire_find_jdk25); then
  export JAVA_HOME="$MESHWIRE_JDK"
  export PATH="$JAVA_HOME/bin:$PATH"
else
  echo "meshwire: no JDK 25 found (looked at JAVA_HOME='${JAVA_HOME:-}', the java on PATH, /usr/lib/jvm/*, /opt)." >&2
  echo "meshwire: install one (e.g. Temurin 25: apt-get install temurin-25-jdk) or set JAVA_HOME to a JDK 25 home." >&2
  exit 1
fi
