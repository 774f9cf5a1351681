using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>
/// Compares specs member by member. Record equality is not enough: the lists and the environment inside a
/// <see cref="JobSpec"/> compare by reference.
/// </summary>
internal static class SpecAssert
{
    public static void Equivalent(JobSpec expected, JobSpec actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Runtime.Command, actual.Runtime.Command);
        Assert.Equal(expected.Runtime.Args, actual.Runtime.Args);
        Assert.Equal(
            expected.Runtime.Env.OrderBy(pair => pair.Key, StringComparer.Ordinal),
            actual.Runtime.Env.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Inputs, actual.Inputs);
        Assert.Equal(expected.Outputs, actual.Outputs);
        Assert.Equal(expected.Resources, actual.Resources);
        Assert.Equal(expected.Limits, actual.Limits);
        Assert.Equal(expected.Network, actual.Network);
        Assert.Equal(expected.Price, actual.Price);
        Assert.Equal(expected.Verify, actual.Verify);
        Assert.Equal(expected.Requires, actual.Requires);
        Assert.Equal(expected.Placement, actual.Placement);
    }
}
