using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;
using static OpenGrid.Core.Tests.Specs.SpecTexts;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>The <c>verify</c> block's opt-ins: <c>adaptive</c> and <c>donateAsCanary</c>.</summary>
public class VerifySpecTests
{
    [Fact]
    public void Donating_as_a_canary_is_off_unless_the_spec_says_so()
    {
        Assert.False(ParseValid(Minimal).Verify.DonateAsCanary);
        Assert.False(ParseValid(Minimal + "verify: { replicas: 2 }\n").Verify.DonateAsCanary);
        Assert.False(ParseValid(Minimal + "verify: { replicas: 2, donateAsCanary: false }\n").Verify.DonateAsCanary);
        Assert.Equal(new VerifyPolicy(2, 2, Adaptive: true, DonateAsCanary: true),
            ParseValid(Minimal + "verify: { replicas: 2, donateAsCanary: true }\n").Verify);
    }

    [Fact]
    public void Donating_is_written_back_only_when_on_and_reads_back_the_same()
    {
        var on = JobSpecWriter.ToYaml(ParseValid(Minimal + "verify: { replicas: 3, quorum: 2, donateAsCanary: true }\n"));
        var off = JobSpecWriter.ToYaml(ParseValid(Minimal + "verify: { replicas: 3, quorum: 2 }\n"));

        Assert.Contains("verify:\n  replicas: 3\n  quorum: 2\n  donateAsCanary: true\n", on);
        Assert.DoesNotContain("donateAsCanary", off);
        Assert.True(ParseValid(on).Verify.DonateAsCanary);
        Assert.Equal(on, JobSpecWriter.ToYaml(ParseValid(on)));
    }

    [Fact]
    public void Donating_must_be_true_or_false()
    {
        var yaml = Minimal + "verify: { replicas: 2, donateAsCanary: yes }\n";

        var error = SingleError(yaml);

        Assert.Equal("verify.donateAsCanary", error.Path);
        AssertAt(error, yaml, "yes", "verify.donateAsCanary");
    }
}
