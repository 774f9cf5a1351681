using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;
using static OpenGrid.Core.Tests.Specs.SpecTexts;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>The optional <c>placement</c> block: min provider reputation, region and max start delay.</summary>
public class PlacementSpecTests
{
    private const string Placement = """
        placement:
          minReputation: 0.85
          region: eu-west
          maxStartDelay: 15m

        """;

    private static readonly string WithPlacement = Minimal + Placement;

    [Fact]
    public void Placement_block_parses_into_the_policy()
    {
        var spec = ParseValid(WithPlacement);

        Assert.Equal(new PlacementPolicy(0.85, "eu-west", TimeSpan.FromMinutes(15)), spec.Placement);
    }

    [Fact]
    public void Placement_fields_left_out_get_their_defaults()
    {
        var spec = ParseValid(Minimal + "placement: { region: us-east-1 }\n");

        Assert.Equal(PlacementPolicy.Default with { Region = "us-east-1" }, spec.Placement);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("1.000", 1.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("\"0.95\"", 0.95)]
    [InlineData("0.125", 0.125)]
    public void Min_reputation_is_read_from_its_text(string written, double expected)
    {
        var spec = ParseValid(Minimal + $"placement: {{ minReputation: {written} }}\n");

        Assert.Equal(expected, spec.Placement.MinReputation);
    }

    [Theory]
    [InlineData("maxStartDelay: 1s")]
    [InlineData("maxStartDelay: 7d")]
    [InlineData("region: a")]
    [InlineData("region: abcdefghijklmnopqrstuvwxyz-12345")]
    public void Placement_values_at_the_edges_of_their_ranges_are_accepted(string field)
    {
        ParseValid(Minimal + $"placement:\n  {field}\n");
    }

    [Fact]
    public void A_spec_with_placement_round_trips_through_the_writer()
    {
        var parsed = ParseValid(WithPlacement);

        var written = JobSpecWriter.ToYaml(parsed);
        var reparsed = ParseValid(written);

        SpecAssert.Equivalent(parsed, reparsed);
        Assert.Contains("placement:\n  minReputation: 0.85\n  region: \"eu-west\"\n  maxStartDelay: 15m\n", written);
        Assert.Equal(written, JobSpecWriter.ToYaml(reparsed));
    }

    [Fact]
    public void The_default_placement_is_written_with_only_its_reputation()
    {
        var written = JobSpecWriter.ToYaml(ParseValid(Minimal));

        Assert.EndsWith("placement:\n  minReputation: 0\n", written);
        Assert.Equal(PlacementPolicy.Default, ParseValid(written).Placement);
    }

    [Theory]
    [InlineData("minReputation: 0.85", "minReputation: 1.5", "placement.minReputation", "'1.5' is out of range; valid: 0 to 1")]
    [InlineData("minReputation: 0.85", "minReputation: -0.5", "placement.minReputation", "'-0.5' is not a reputation; use a decimal number from 0 to 1, e.g. 0.8")]
    [InlineData("minReputation: 0.85", "minReputation: high", "placement.minReputation", "'high' is not a reputation; use a decimal number from 0 to 1, e.g. 0.8")]
    [InlineData("minReputation: 0.85", "minReputation: 1e-1", "placement.minReputation", "'1e-1' is not a reputation; use a decimal number from 0 to 1, e.g. 0.8")]
    [InlineData("minReputation: 0.85", "minReputation: .5", "placement.minReputation", "'.5' is not a reputation; use a decimal number from 0 to 1, e.g. 0.8")]
    [InlineData("minReputation: 0.85", "minReputation: 0.8555", "placement.minReputation", "'0.8555' has more than 3 decimals; e.g. 0.85")]
    [InlineData("region: eu-west", "region: EU-West", "placement.region", "'EU-West' is not a region; use 1 to 32 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. eu-west")]
    [InlineData("region: eu-west", "region: eu_west", "placement.region", "'eu_west' is not a region; use 1 to 32 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. eu-west")]
    [InlineData("region: eu-west", "region: -eu", "placement.region", "'-eu' is not a region; use 1 to 32 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. eu-west")]
    [InlineData("region: eu-west", "region: \"\"", "placement.region", "'' is not a region; use 1 to 32 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. eu-west")]
    [InlineData("region: eu-west", "region: abcdefghijklmnopqrstuvwxyz-123456", "placement.region", "is 33 characters long; at most 32 are allowed")]
    [InlineData("maxStartDelay: 15m", "maxStartDelay: 0s", "placement.maxStartDelay", "'0s' is out of range; valid: 1s to 7d")]
    [InlineData("maxStartDelay: 15m", "maxStartDelay: 8d", "placement.maxStartDelay", "'8d' is out of range; valid: 1s to 7d")]
    [InlineData("maxStartDelay: 15m", "maxStartDelay: 15", "placement.maxStartDelay", "'15' is not a duration; use whole numbers with units d, h, m, s, ms, e.g. 30s, 10m, 1h30m")]
    public void Bad_placement_value_is_rejected_at_its_position(string old, string replacement, string path, string message)
    {
        var yaml = WithPlacement.With(old, replacement);

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, replacement, path);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Region_ending_in_a_newline_is_rejected()
    {
        var yaml = WithPlacement.With("region: eu-west\n", "region: |\n    eu-west\n");

        var error = SingleError(yaml);

        Assert.Equal("placement.region", error.Path);
        Assert.Contains("is not a region", error.Message);
    }

    [Fact]
    public void Unknown_placement_field_is_rejected_with_a_suggestion_and_the_allowed_fields()
    {
        var yaml = WithPlacement.With("region: eu-west", "regoin: eu-west");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "regoin", "placement.regoin");
        Assert.Equal("unknown field 'regoin'; did you mean 'region'? (allowed here: minReputation, region, maxStartDelay)", error.Message);
    }

    [Fact]
    public void Placement_that_is_not_a_map_is_rejected()
    {
        var yaml = Minimal + "placement: eu-west\n";

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, "placement: eu-west", "placement");
        Assert.Equal("expected a map, got 'eu-west'", error.Message);
    }

    [Fact]
    public void Every_bad_placement_value_is_reported_at_once()
    {
        var yaml = Minimal + "placement: { minReputation: 2, region: Mars, maxStartDelay: 1y }\n";

        var errors = Parse(yaml).Errors;

        Assert.Equal(["placement.minReputation", "placement.region", "placement.maxStartDelay"], errors.Select(e => e.Path));
    }
}
