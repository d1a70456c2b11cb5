package pinkcnn.trainer;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * A setting whose values are the constants of an enum, each spelled as users type it: its {@link #id()}, the
 * lower-case name, which is also how run.json and reports write it. An option of such a type converts with a
 * {@link Converter}; any other text is a one-line error (exit code 2, see {@link Main}).
 */
public interface Choice {

    /** The constant's name (every enum has it). */
    String name();

    /** The spelling: on the command line, in run.json and in reports. */
    @JsonValue
    default String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code text} means this value: its id (a choice may take aliases too). */
    default boolean isSpelled(String text) {
        return id().equals(text);
    }

    /** The value of {@code type} that {@code text} spells, or null. */
    static <E extends Enum<E> & Choice> E find(Class<E> type, String text) {
        if (text == null) return null;
        for (E e : type.getEnumConstants()) if (e.isSpelled(text)) return e;
        return null;
    }

    /** The value of {@code type} that {@code text} spells, or a {@link UserError} "unknown WHAT 'text': use a or b". */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String text, String what) {
        E e = find(type, text);
        if (e == null) throw new UserError("unknown " + what + " '" + text + "': use " + spellings(type));
        return e;
    }

    /** The spellings of {@code type}'s values: "a or b", "a, b or c". */
    static <E extends Enum<E> & Choice> String spellings(Class<E> type) {
        List<String> ids = new ArrayList<>();
        for (E e : type.getEnumConstants()) ids.add(e.id());
        if (ids.size() == 1) return ids.get(0);
        return String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
    }

    /** picocli's conversion of an option's text; each enum names a subclass in its options' {@code converter}. */
    abstract class Converter<E extends Enum<E> & Choice> implements CommandLine.ITypeConverter<E> {
        private final Class<E> type;

        protected Converter(Class<E> type) {
            this.type = type;
        }

        /** What the error suggests instead. */
        protected String spellings() {
            return Choice.spellings(type);
        }

        @Override
        public E convert(String text) {
            E e = find(type, text);
            if (e == null) throw new Unknown(text, spellings());
            return e;
        }
    }

    /** An option value that spells no value; {@link Main} prints it on one line instead of the usage. */
    final class Unknown extends CommandLine.TypeConversionException {
        private final String value;
        private final String spellings;

        Unknown(String value, String spellings) {
            super("unknown value '" + value + "': use " + spellings);
            this.value = value;
            this.spellings = spellings;
        }

        /** "unknown --tta 'rotate': use none or flip". */
        String line(String option) {
            return "unknown " + option + " '" + value + "': use " + spellings;
        }
    }
}
