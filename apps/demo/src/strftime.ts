/**
 * `--timefmt`: C's strftime(3) in the C locale (as inotifywait runs it), local time. Every
 * conversion of POSIX and glibc is here but the locale-specific `E`/`O` modifiers and glibc's
 * flag and width extensions (`%-d`, `%10Y`), which are printed as they are written, like an
 * unknown conversion. `%Z` is the offset (`+0545`) where the zone's abbreviation is not known
 * to JavaScript: only `UTC`/`GMT` zones are named.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(value: number, width: number, fill = '0'): string {
  return String(value).padStart(width, fill);
}

/** Day of the year, 0-based. */
function yearDay(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  const utc = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
  return Math.round((utc - Date.UTC(start.getFullYear(), 0, 1)) / 86_400_000);
}

/** The ISO 8601 week-based year and week number (`%G`, `%V`). */
function isoWeek(date: Date): { year: number; week: number } {
  const day = (date.getDay() + 6) % 7; // Monday = 0
  const thursday = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return { year, week };
}

/** `+hhmm`, the offset from UTC. */
function offset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

function zoneName(date: Date): string {
  const zone = process.env['TZ'];
  if (zone === 'UTC' || zone === 'GMT' || zone === 'UTC0' || zone === 'GMT0' || zone === '')
    return zone === '' ? 'UTC' : zone.replace(/0$/, '');
  return offset(date);
}

function hour12(date: Date): number {
  return date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
}

function conversion(letter: string, date: Date): string | undefined {
  switch (letter) {
    case 'a':
      return DAYS[date.getDay()]!.slice(0, 3);
    case 'A':
      return DAYS[date.getDay()]!;
    case 'b':
    case 'h':
      return MONTHS[date.getMonth()]!.slice(0, 3);
    case 'B':
      return MONTHS[date.getMonth()]!;
    case 'c':
      return strftime('%a %b %e %H:%M:%S %Y', date);
    case 'C':
      return pad(Math.floor(date.getFullYear() / 100), 2);
    case 'd':
      return pad(date.getDate(), 2);
    case 'D':
    case 'x':
      return strftime('%m/%d/%y', date);
    case 'e':
      return pad(date.getDate(), 2, ' ');
    case 'F':
      return strftime('%Y-%m-%d', date);
    case 'g':
      return pad(isoWeek(date).year % 100, 2);
    case 'G':
      return String(isoWeek(date).year);
    case 'H':
      return pad(date.getHours(), 2);
    case 'I':
      return pad(hour12(date), 2);
    case 'j':
      return pad(yearDay(date) + 1, 3);
    case 'k':
      return pad(date.getHours(), 2, ' ');
    case 'l':
      return pad(hour12(date), 2, ' ');
    case 'm':
      return pad(date.getMonth() + 1, 2);
    case 'M':
      return pad(date.getMinutes(), 2);
    case 'n':
      return '\n';
    case 'p':
      return date.getHours() < 12 ? 'AM' : 'PM';
    case 'P':
      return date.getHours() < 12 ? 'am' : 'pm';
    case 'r':
      return strftime('%I:%M:%S %p', date);
    case 'R':
      return strftime('%H:%M', date);
    case 's':
      return String(Math.floor(date.getTime() / 1000));
    case 'S':
      return pad(date.getSeconds(), 2);
    case 't':
      return '\t';
    case 'T':
    case 'X':
      return strftime('%H:%M:%S', date);
    case 'u':
      return String(date.getDay() === 0 ? 7 : date.getDay());
    case 'U':
      return pad(Math.floor((yearDay(date) + 7 - date.getDay()) / 7), 2);
    case 'V':
      return pad(isoWeek(date).week, 2);
    case 'w':
      return String(date.getDay());
    case 'W':
      return pad(Math.floor((yearDay(date) + 7 - ((date.getDay() + 6) % 7)) / 7), 2);
    case 'y':
      return pad(date.getFullYear() % 100, 2);
    case 'Y':
      return String(date.getFullYear());
    case 'z':
      return offset(date);
    case 'Z':
      return zoneName(date);
    case '%':
      return '%';
    default:
      return undefined;
  }
}

/**
 * Formats `date` (local time) as strftime(3) does in the C locale.
 *
 * @param format - the strftime format, e.g. `%F %T`.
 * @param date - the moment.
 */
export function strftime(format: string, date: Date): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%' || i === format.length - 1) {
      out += char;
      continue;
    }
    const letter = format[i + 1]!;
    const value = conversion(letter, date);
    out += value ?? `%${letter}`;
    i++;
  }
  return out;
}
