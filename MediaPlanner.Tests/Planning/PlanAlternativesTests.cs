using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Providers.Local;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class PlanAlternativesTests
{
    [Fact]
    public void The_alternatives_carry_the_local_engines_names_so_both_planners_label_plans_alike()
    {
        var request = TestData.Request();

        Assert.Equal(TestData.Plans(request, alternatives: 3).Select(p => p.StrategyName).Order(),
            PlanAlternatives.For(3).Select(a => a.Name).Order());
        Assert.Subset(PlanAlternatives.For(PlanAlternatives.Max).Select(a => a.Name).ToHashSet(),
            TestData.Plans(request, alternatives: LocalMediaMixEngine.MaxAlternatives).Select(p => p.StrategyName).ToHashSet());
        var engineOrder = TestData.Plans(request, alternatives: LocalMediaMixEngine.MaxAlternatives).Select(p => p.StrategyName).ToList();
        Assert.Equal(engineOrder, PlanAlternatives.InTiltOrder(TestData.Plans(request, alternatives: LocalMediaMixEngine.MaxAlternatives).Reverse())
            .Select(p => p.StrategyName));
        Assert.Equal(PlanAlternatives.Max, PlanAlternatives.For(99).Select(a => a.Name).Distinct().Count());
        Assert.Equal([PlanAlternatives.Balanced], PlanAlternatives.For(0).Select(a => a.Name));
    }

    [Fact]
    public void The_first_alternative_is_the_training_prompt_exactly_and_the_others_add_one_system_line_after_the_brief()
    {
        var request = TestData.Request();
        var trained = PromptRenderer.PromptMessages(request.Brief, request.Market);
        var alternatives = PlanAlternatives.For(PlanAlternatives.Max);

        Assert.Equal(trained, PlanAlternatives.Prompt(request.Brief, request.Market, alternatives[0]));
        foreach (var alternative in alternatives.Skip(1))
        {
            var prompt = PlanAlternatives.Prompt(request.Brief, request.Market, alternative);
            Assert.Equal(trained, prompt.Take(2));
            Assert.Equal(ChatRoles.System, prompt[2].Role);
            Assert.Contains($"\"{alternative.Name}\"", prompt[2].Content);
        }
    }
}
