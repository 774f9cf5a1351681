using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OpenGrid.Protocol.Specs;

/// <summary>
/// A first pass over the YAML event stream, before anything is built from it. A spec is untrusted input, so this
/// rejects what the representation model would either throw on or silently accept: syntax errors, more than one
/// document, anchors, aliases and tags, keys that are not plain scalars, duplicate keys and deep nesting.
/// The parser (a state machine, not recursive) is safe on any input; the representation model that is loaded
/// afterwards recurses, which is why the depth is bounded here first.
/// </summary>
internal static class YamlSafetyScan
{
    private sealed class Frame(bool isMap)
    {
        public bool IsMap { get; } = isMap;
        public bool ExpectingKey { get; set; } = true;
        public string? Key { get; set; }
        public int Index { get; set; } = -1;
        public Dictionary<string, Mark> Keys { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Reports every problem found to <paramref name="reader"/>; true when there was none.</summary>
    public static bool Check(string yamlText, SpecNodeReader reader)
    {
        var before = reader.ErrorCount;
        var stack = new List<Frame>();
        var documents = 0;
        var parser = new Parser(new StringReader(yamlText));
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                switch (e)
                {
                    case DocumentStart when ++documents == 2:
                        reader.Report(e.Start, "", "a spec is a single YAML document; remove the second document (after '---')");
                        break;
                    case AnchorAlias alias:
                        OnNode(e, stack, reader);
                        reader.Report(e.Start, PathOf(stack), $"aliases (*{alias.Value}) are not allowed in a spec; write the value out");
                        break;
                    case NodeEvent node:
                        OnNode(e, stack, reader);
                        CheckAnchorAndTag(node, stack, reader);
                        if (e is MappingStart or SequenceStart)
                        {
                            stack.Add(new Frame(e is MappingStart));
                            if (stack.Count > JobSpecLimits.MaxNestingDepth)
                            {
                                reader.Report(e.Start, PathOf(stack),
                                    $"the spec is nested more than {JobSpecLimits.MaxNestingDepth} levels deep");
                                return false;
                            }
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        stack.RemoveAt(stack.Count - 1);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            reader.Report(ex.Start, "", ex.Message);
        }

        return reader.ErrorCount == before;
    }

    private static void OnNode(ParsingEvent e, List<Frame> stack, SpecNodeReader reader)
    {
        if (stack.Count == 0)
            return;
        var top = stack[^1];
        if (!top.IsMap)
        {
            top.Index++;
            return;
        }

        if (!top.ExpectingKey)
        {
            top.ExpectingKey = true;
            return;
        }

        top.ExpectingKey = false;
        if (e is not Scalar key)
        {
            top.Key = "?";
            reader.Report(e.Start, PathOf(stack), "a key must be a plain name, not a list, a map or an alias");
            return;
        }

        top.Key = key.Value;
        if (top.Keys.TryGetValue(key.Value, out var first))
            reader.Report(e.Start, PathOf(stack), $"duplicate key '{key.Value}'; it is already set at line {first.Line}");
        else
            top.Keys.Add(key.Value, e.Start);
    }

    private static void CheckAnchorAndTag(NodeEvent node, List<Frame> stack, SpecNodeReader reader)
    {
        if (!node.Anchor.IsEmpty)
            reader.Report(node.Start, PathOf(stack), $"anchors (&{node.Anchor}) are not allowed in a spec; write the value out");
        if (!node.Tag.IsEmpty)
            reader.Report(node.Start, PathOf(stack), $"tags ({node.Tag}) are not allowed in a spec; write a plain or quoted value");
    }

    private static string PathOf(List<Frame> stack)
    {
        var path = "";
        foreach (var frame in stack)
        {
            if (frame.IsMap && frame.Key is not null)
                path = SpecNodeReader.Field(path, frame.Key);
            else if (!frame.IsMap && frame.Index >= 0)
                path = SpecNodeReader.Item(path, frame.Index);
        }

        return path;
    }
}
