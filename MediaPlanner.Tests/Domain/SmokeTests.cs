using MediaPlanner.Domain.Planning;

namespace MediaPlanner.Tests.Domain;

public class SmokeTests
{
    [Fact]
    public void The_default_engine_makes_three_plans_that_spend_the_budget()
    {
        var plans = new LocalMediaMixEngine(MediaMixParameters.Default).Generate(TestData.Request());
        Assert.Equal(3, plans.Count);
        Assert.All(plans, p => Assert.Equal(250_000m, p.LineItems.Sum(i => i.Spend)));
    }
}
