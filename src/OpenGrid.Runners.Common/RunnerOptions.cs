using System.Globalization;

namespace OpenGrid.Runners.Common;

/// <summary>
/// A runner's command line, read strictly: <c>--name VALUE</c> options and bare flags from fixed lists, nothing else;
/// <c>--help</c>/<c>-h</c> asks for help. Every problem is one sentence naming the option.
/// </summary>
public sealed class RunnerOptions
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private RunnerOptions(Dictionary<string, string> values, HashSet<string> flags) => (_values, _flags) = (values, flags);

    /// <summary>
    /// The options, or null with <paramref name="error"/> set; null for both when help was asked for.
    /// </summary>
    /// <param name="valued">Options that take a value, e.g. <c>--model</c>.</param>
    /// <param name="flags">Options that take none, e.g. <c>--verbose</c>.</param>
    /// <param name="required">Valued options that must be given.</param>
    public static RunnerOptions? Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags,
        IReadOnlyCollection<string> required, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var set = new HashSet<string>(StringComparer.Ordinal);
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
                return null;
            if (flags.Contains(arg))
            {
                set.Add(arg);
                continue;
            }
            if (!valued.Contains(arg))
                return Fail($"unknown argument '{arg}'", out error);
            if (i + 1 >= args.Count)
                return Fail($"{arg} needs a value", out error);
            values[arg] = args[++i];
        }
        foreach (var name in required)
        {
            if (!values.ContainsKey(name))
                return Fail($"{name} is required", out error);
        }
        return new RunnerOptions(values, set);
    }

    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>A required option's value (checked by <see cref="Parse"/>).</summary>
    public string Value(string name) => _values[name];

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="FormatException">The value is not such a number; the message names the option and the range.</exception>
    public ulong Number(string name, ulong fallback, ulong min, ulong max)
    {
        if (!_values.TryGetValue(name, out var text))
            return fallback;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new FormatException($"{name} must be a whole number from {min} to {max}, not '{text}'");
        return value;
    }

    private static RunnerOptions? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
