using System.Text.Json;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Domain.Training;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Training;

public class AnonymiserTests
{
    /// <summary>A brief whose names are also in its free text, and a plan whose rationales name them, as a planner would write.</summary>
    private static (CampaignBrief Brief, ChatExample Example) Realistic(string brand = "Acme Sports", string campaign = "Summer Dash")
    {
        var brief = TestData.Brief();
        brief.Brand = brand;
        brief.CampaignName = campaign;
        brief.BriefText = $"{brand} wants the {campaign} push to reach runners. ACME SPORTS's rivals outspend it, so {brand.ToLowerInvariant()} " +
                          $"needs reach first; the \"{campaign}\" name must not appear in ads.";
        var plan = TrainingTestData.Plan(brief);
        plan = plan with
        {
            Rationale = $"For {brand}, {campaign} leads with video. {plan.Rationale}",
            LineItems = [.. plan.LineItems.Select(i => i with { Rationale = $"{i.Rationale} Keeps {brand} visible." })],
            Assumptions = [.. plan.Assumptions, $"{campaign} creative is ready by launch."],
        };
        return (brief, PromptRenderer.Example(brief, TrainingTestData.Market(), plan));
    }

    private static ChatExample Anonymised(ChatExample example) => ChatExample.Parse(Anonymiser.AnonymiseLine(example.ToJsonLine()));

    [Fact]
    public void A_realistic_example_keeps_no_name_anywhere_in_its_line_and_stays_a_valid_example_with_a_valid_plan()
    {
        var (_, example) = Realistic();

        var line = Anonymiser.AnonymiseLine(example.ToJsonLine());

        Assert.DoesNotContain("acme", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("summer dash", line, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(new ExampleValidator().ValidateLine(line, TrainingTestData.Model).Errors);
        var messages = ChatExample.Parse(line).Messages;
        var plan = PlanJson.Deserialize(messages.Single(m => m.Role == ChatRoles.Assistant).Content!);
        Assert.Equal(("[BRAND-1]", "[CAMPAIGN-1]"), (plan.Brand, plan.CampaignName));
        Assert.StartsWith("For [BRAND-1], [CAMPAIGN-1] leads with video.", plan.Rationale);
        Assert.All(plan.LineItems, i => Assert.EndsWith("Keeps [BRAND-1] visible.", i.Rationale));
        Assert.Equal(PromptRenderer.SystemPrompt, messages[0].Content);
    }

    [Fact]
    public void The_same_name_is_the_same_placeholder_in_the_user_message_and_the_plan()
    {
        var (_, example) = Realistic();

        var messages = Anonymised(example).Messages;

        var user = messages.Single(m => m.Role == ChatRoles.User).Content!;
        Assert.StartsWith("Brand: [BRAND-1]\nCampaign: [CAMPAIGN-1]\n", user);
        Assert.Contains("[BRAND-1] wants the [CAMPAIGN-1] push to reach runners. [BRAND-1]'s rivals outspend it, so [BRAND-1] needs reach first; " +
                        "the \"[CAMPAIGN-1]\" name must not appear in ads.", user);
        var plan = PlanJson.Deserialize(messages.Single(m => m.Role == ChatRoles.Assistant).Content!);
        Assert.Contains("[CAMPAIGN-1] creative is ready by launch.", plan.Assumptions);
    }

    [Fact]
    public void A_brand_named_like_a_channel_leaves_the_plans_channels_readable()
    {
        var plan = TrainingTestData.Plan();
        var channel = plan.LineItems[0].Channel.ToString();
        var anonymiser = Anonymiser.For([(NameKind.Brand, channel)]);

        var anonymised = PlanJson.Deserialize(anonymiser.Anonymise(PlanJson.Serialize(plan with { Brand = channel, Rationale = $"{channel} leads." })));

        Assert.Equal(plan.LineItems.Select(i => i.Channel), anonymised.LineItems.Select(i => i.Channel));
        Assert.Equal(("[BRAND-1]", "[BRAND-1] leads."), (anonymised.Brand, anonymised.Rationale));
    }

    [Fact]
    public void The_longest_name_is_replaced_first_so_a_name_inside_another_is_not_half_replaced()
    {
        var anonymiser = Anonymiser.For([(NameKind.Brand, "Acme"), (NameKind.Campaign, "Acme Sports Week"), (NameKind.Client, "Acme Sports")]);

        var text = anonymiser.Anonymise("Acme Sports Week for Acme Sports, by Acme; not Acmeville or Acme_1.");

        Assert.Equal("[CAMPAIGN-1] for [CLIENT-1], by [BRAND-1]; not Acmeville or Acme_1.", text);
    }

    [Fact]
    public void Matching_ignores_case_and_the_spacing_between_a_names_words()
    {
        var anonymiser = Anonymiser.For([(NameKind.Brand, "Northwind  Running")]);

        Assert.Equal("[BRAND-1], [BRAND-1] and [BRAND-1].", anonymiser.Anonymise("NORTHWIND RUNNING, northwind\nrunning and Northwind Running."));
        Assert.Equal("[BRAND-1]", Assert.Single(anonymiser.Placeholders).Key);
    }

    [Fact]
    public void Names_with_json_special_characters_are_found_inside_plan_json_and_the_json_stays_valid()
    {
        var anonymiser = Anonymiser.For([(NameKind.Brand, "Dupont & Fils \"Élite\""), (NameKind.Campaign, "C:\\Promo")]);
        var plan = TrainingTestData.Plan() with { Brand = "Dupont & Fils \"Élite\"", CampaignName = "C:\\Promo", Rationale = "dupont & fils \"élite\" first." };
        var json = PlanJson.Serialize(plan);
        Assert.Contains("\\u0026", json);

        var anonymised = anonymiser.Anonymise(json);

        var parsed = PlanJson.Deserialize(anonymised);
        Assert.Equal(("[BRAND-1]", "[CAMPAIGN-1]", "[BRAND-1] first."), (parsed.Brand, parsed.CampaignName, parsed.Rationale));
        Assert.Equal(plan, anonymiser.Restore(parsed) with { LineItems = plan.LineItems, Assumptions = plan.Assumptions, Rationale = plan.Rationale });
        Assert.Equal("Dupont & Fils \"Élite\" first.", anonymiser.Restore(parsed).Rationale);
    }

    [Fact]
    public void Numbers_markets_and_channels_are_left_as_they_are()
    {
        var (_, example) = Realistic();
        var before = PlanJson.Deserialize(example.Messages[2].Content!);

        var after = PlanJson.Deserialize(Anonymised(example).Messages[2].Content!);

        Assert.Equal((before.Market, before.Budget, before.Totals, before.Objective), (after.Market, after.Budget, after.Totals, after.Objective));
        Assert.Equal(before.LineItems.Select(i => (i.Channel, i.Spend, i.Cpm, i.Reach)), after.LineItems.Select(i => (i.Channel, i.Spend, i.Cpm, i.Reach)));
    }

    [Fact]
    public void Every_example_numbers_its_own_names_from_one()
    {
        var first = Anonymised(Realistic("Acme Sports", "Summer Dash").Example);
        var second = Anonymised(Realistic("Globex", "Winter Sprint").Example);

        Assert.StartsWith("Brand: [BRAND-1]\nCampaign: [CAMPAIGN-1]\n", first.Messages[1].Content);
        Assert.StartsWith("Brand: [BRAND-1]\nCampaign: [CAMPAIGN-1]\n", second.Messages[1].Content);
    }

    [Fact]
    public void The_prompt_sent_at_inference_is_exactly_the_anonymised_training_prompt()
    {
        var (brief, example) = Realistic();

        var sent = Anonymiser.ForBrief(brief).Anonymise(PromptRenderer.PromptMessages(brief, TrainingTestData.Market()));

        Assert.Equal(Anonymised(example).Messages.Take(2), sent);
    }

    [Fact]
    public void An_imported_brief_is_read_by_its_labels_in_any_case_and_indentation_including_client_and_advertiser()
    {
        var line = new ChatExample(
        [
            new(ChatRoles.User, "  brand: Initech\nCLIENT: Umbrella Group\nAdvertiser: Hooli\nPlan Initech's launch for Umbrella Group and Hooli."),
            new(ChatRoles.Assistant, "{\"note\":\"Initech via Hooli\",\"budget\":1.50}"),
        ]).ToJsonLine();

        var anonymised = ChatExample.Parse(Anonymiser.AnonymiseLine(line));

        Assert.Equal("  brand: [BRAND-1]\nCLIENT: [CLIENT-1]\nAdvertiser: [CLIENT-2]\nPlan [BRAND-1]'s launch for [CLIENT-1] and [CLIENT-2].", anonymised.Messages[0].Content);
        Assert.Equal("{\"note\":\"[BRAND-1] via [CLIENT-2]\",\"budget\":1.50}", anonymised.Messages[1].Content);
    }

    [Fact]
    public void A_preference_pair_is_anonymised_in_its_input_and_both_answers()
    {
        var (_, example) = Realistic();
        var plan = example.Messages[2].Content!;
        var line = PreferencePairService.ToJsonLine(new ChatExample(example.Messages.Take(2).ToList()).ToJsonLine(), plan, plan);

        var anonymised = Anonymiser.AnonymiseLine(line);

        Assert.DoesNotContain("acme", anonymised, StringComparison.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(anonymised);
        Assert.Equal("[BRAND-1]", PlanJson.Deserialize(document.RootElement.GetProperty("non_preferred_output")[0].GetProperty("content").GetString()!).Brand);
    }

    [Fact]
    public void A_line_with_a_repeated_key_is_still_anonymised_as_a_chat_example()
    {
        const string line = "{\"messages\":[{\"role\":\"user\",\"content\":\"Brand: Acme\\nAcme plans.\",\"content\":\"Brand: Acme\\nAcme plans.\"}," +
                            "{\"role\":\"assistant\",\"content\":\"Acme: done.\"}]}";

        var anonymised = Anonymiser.AnonymiseLine(line);

        Assert.DoesNotContain("Acme", anonymised);
        Assert.Equal(["Brand: [BRAND-1]\n[BRAND-1] plans.", "[BRAND-1]: done."], ChatExample.Parse(anonymised).Messages.Select(m => m.Content));
    }

    [Fact]
    public void A_line_without_names_comes_back_byte_for_byte()
    {
        var line = new ChatExample([new(ChatRoles.User, "Plan something nice."), new(ChatRoles.Assistant, "{ \"a\" : 1 }")]).ToJsonLine();

        Assert.Same(line, Anonymiser.AnonymiseLine(line));
    }

    [Fact]
    public void Restoring_puts_back_only_the_examples_own_placeholders_in_any_case()
    {
        var anonymiser = Anonymiser.For([(NameKind.Brand, "Acme"), (NameKind.Campaign, "Go")]);

        Assert.Equal("Acme's Go plan, not [BRAND-2] or [CLIENT-1].", anonymiser.Restore("[brand-1]'s [CAMPAIGN-1] plan, not [BRAND-2] or [CLIENT-1]."));
    }

    [Fact]
    public void Blank_names_and_names_without_letters_or_digits_are_skipped()
    {
        var anonymiser = Anonymiser.For([(NameKind.Brand, "  "), (NameKind.Campaign, "-"), (NameKind.Client, null)]);

        Assert.Empty(anonymiser.Placeholders);
        Assert.Equal("18 - 34", anonymiser.Anonymise("18 - 34"));
    }
}
