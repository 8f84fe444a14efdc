using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class FlightingTests
{
    private static readonly DateOnly Wednesday = new(2027, 3, 3);
    private static readonly DateOnly Monday = new(2027, 3, 1);

    /// <summary>Flights a planner books: one day, ten days, six weeks from a Wednesday, a full quarter from a Monday.</summary>
    private static readonly (string Name, DateOnly Start, DateOnly End)[] Flights =
    [
        ("1 day", Wednesday, Wednesday),
        ("10 days", Wednesday, Wednesday.AddDays(9)),
        ("6 weeks mid-week", Wednesday, Wednesday.AddDays(6 * 7 - 1)),
        ("13 weeks", Monday, Monday.AddDays(13 * 7 - 1)),
    ];

    public static TheoryData<FlightingPattern, string, string> Cases()
    {
        var data = new TheoryData<FlightingPattern, string, string>();
        foreach (var pattern in Enum.GetValues<FlightingPattern>())
            foreach (var (name, _, _) in Flights)
                data.Add(pattern, pattern == FlightingPattern.Custom ? "110" : "", name);
        data.Add(FlightingPattern.Custom, "1", "13 weeks");
        data.Add(FlightingPattern.Custom, "0110", "6 weeks mid-week");
        return data;
    }

    /// <summary>The engine's plan with lines whose spends do not divide evenly, and one below a cent's precision.</summary>
    private static MediaPlan Plan(DateOnly start, DateOnly end)
    {
        var plan = TestData.Plans()[1];
        decimal[] spends = [123_456.79m, 0.07m, 99_999.99m, 10.005m];
        long[] impressions = [41_152_263, 3, 33_333_333, 1];
        var lines = plan.LineItems.Take(spends.Length)
            .Select((l, i) => l with { Spend = spends[i], Impressions = impressions[i] })
            .ToList();
        return plan with { FlightStart = start, FlightEnd = end, LineItems = lines };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_lines_cells_add_up_to_its_spend_to_the_cent_and_its_impressions_to_the_unit(FlightingPattern pattern, string custom, string flight)
    {
        var (_, start, end) = Flights.Single(f => f.Name == flight);
        var plan = Plan(start, end);

        var chart = Flighting.For(plan, pattern, custom);

        Assert.Equal(1.0, chart.Weeks.Sum(w => w.Weight), 9);
        Assert.Equal(end.DayNumber - start.DayNumber + 1, chart.Weeks.Sum(w => w.Days));
        Assert.All(chart.Weeks, w => Assert.Equal(DayOfWeek.Monday, w.Commencing.DayOfWeek));
        Assert.Equal(start, chart.Weeks[0].From);
        Assert.Equal(end, chart.Weeks[^1].To);
        foreach (var line in chart.Lines)
        {
            var item = plan.LineItems[line.Index];
            Assert.Equal(item.Spend, line.WeekSpend.Sum());
            Assert.Equal(item.Impressions, line.WeekImpressions.Sum());
            Assert.All(line.WeekSpend, s => Assert.True(s >= 0));
            Assert.All(line.WeekImpressions, s => Assert.True(s >= 0));
            foreach (var week in chart.Weeks.Where(w => !w.On))
            {
                Assert.Equal(0m, line.WeekSpend[week.Index]);
                Assert.Equal(0, line.WeekImpressions[week.Index]);
            }
            if (item.Spend == decimal.Round(item.Spend, 2))
                Assert.All(line.WeekSpend, s => Assert.Equal(decimal.Round(s, 2), s));
        }
        Assert.Equal(plan.LineItems.Sum(l => l.Spend), chart.Spend);
        Assert.Equal(chart.Spend, chart.WeekSpend.Sum());
        Assert.Equal(plan.LineItems.Sum(l => l.Impressions), chart.WeekImpressions.Sum());
        for (var w = 0; w < chart.Weeks.Count; w++)
            Assert.Equal(chart.Lines.Sum(l => l.WeekSpend[w]), chart.WeekSpend[w]);
    }

    [Theory]
    [InlineData(FlightingPattern.Continuous)]
    [InlineData(FlightingPattern.FrontLoaded)]
    [InlineData(FlightingPattern.Pulsed)]
    [InlineData(FlightingPattern.Custom)]
    public void A_one_day_flight_is_one_week_holding_everything(FlightingPattern pattern)
    {
        var plan = Plan(Wednesday, Wednesday);

        var chart = Flighting.For(plan, pattern, "0");

        var week = Assert.Single(chart.Weeks);
        Assert.Equal(Monday, week.Commencing);
        Assert.Equal(1, week.Days);
        Assert.True(week.On);
        Assert.Equal(plan.LineItems.Select(l => l.Spend), chart.Lines.Select(l => l.WeekSpend.Single()));
    }

    [Fact]
    public void Continuous_spend_follows_the_days_so_partial_first_and_last_weeks_get_less()
    {
        // 42 days from a Wednesday: Wed–Sun, five full weeks, Mon–Tue; 4,200.00 is 100.00 a day.
        var plan = Plan(Wednesday, Wednesday.AddDays(41));
        plan = plan with { LineItems = [plan.LineItems[0] with { Spend = 4_200m, Impressions = 42_000 }] };

        var chart = Flighting.For(plan, FlightingPattern.Continuous, null);

        Assert.Equal([5, 7, 7, 7, 7, 7, 2], chart.Weeks.Select(w => w.Days));
        Assert.Equal([500m, 700m, 700m, 700m, 700m, 700m, 200m], chart.Lines[0].WeekSpend);
        Assert.Equal([5_000L, 7_000, 7_000, 7_000, 7_000, 7_000, 2_000], chart.Lines[0].WeekImpressions);
        Assert.Equal(Monday, chart.Weeks[0].Commencing);
        Assert.Equal(new DateOnly(2027, 4, 12), chart.Weeks[^1].Commencing);
    }

    [Fact]
    public void Front_loaded_weeks_decline_from_one_and_a_half_to_half_the_average()
    {
        var plan = Plan(Monday, Monday.AddDays(13 * 7 - 1));

        var chart = Flighting.For(plan, FlightingPattern.FrontLoaded, null);

        var spend = chart.WeekSpend;
        for (var w = 1; w < spend.Count; w++)
            Assert.True(spend[w] < spend[w - 1], $"week {w + 1} ({spend[w]}) should be below week {w} ({spend[w - 1]})");
        var average = chart.Spend / chart.Weeks.Count;
        Assert.Equal(1.5, (double)(spend[0] / average), 2);
        Assert.Equal(0.5, (double)(spend[^1] / average), 2);
    }

    [Fact]
    public void Front_loaded_partial_weeks_still_decline_per_day()
    {
        var plan = Plan(Wednesday, Wednesday.AddDays(41));

        var chart = Flighting.For(plan, FlightingPattern.FrontLoaded, null);

        var perDay = chart.Weeks.Select(w => chart.WeekSpend[w.Index] / w.Days).ToList();
        for (var w = 1; w < perDay.Count; w++)
            Assert.True(perDay[w] < perDay[w - 1]);
    }

    [Theory]
    [InlineData(13, "1101101101101")]
    [InlineData(6, "110111")]
    [InlineData(4, "1101")]
    [InlineData(2, "11")]
    public void Pulsed_runs_two_weeks_on_one_off_and_opens_and_closes_on_air(int weeks, string expected)
    {
        var plan = Plan(Monday, Monday.AddDays(weeks * 7 - 1));

        var chart = Flighting.For(plan, FlightingPattern.Pulsed, null);

        Assert.Equal(expected, OnOff(chart));
        var on = chart.Weeks.Where(w => w.On).Select(w => chart.WeekSpend[w.Index]).ToList();
        Assert.True(on.Max() - on.Min() <= 0.01m * chart.Lines.Count + 0.005m, "full on weeks carry equal spend");
    }

    [Theory]
    [InlineData("110", 13, "1101101101101")]
    [InlineData("10 01", 6, "100110")]
    [InlineData("0111111111", 3, "011")]
    public void Custom_weeks_repeat_when_shorter_than_the_flight(string custom, int weeks, string expected)
    {
        var plan = Plan(Monday, Monday.AddDays(weeks * 7 - 1));

        var chart = Flighting.For(plan, FlightingPattern.Custom, custom);

        Assert.Equal(FlightingPattern.Custom, chart.Pattern);
        Assert.Equal(expected, OnOff(chart));
    }

    [Theory]
    [InlineData("")]
    [InlineData("000")]
    [InlineData("0001")]
    public void Custom_weeks_with_no_on_week_in_the_flight_run_continuous_and_say_so(string custom)
    {
        var plan = Plan(Monday, Monday.AddDays(2 * 7 - 1));

        var chart = Flighting.For(plan, FlightingPattern.Custom, custom);

        Assert.Equal(FlightingPattern.Continuous, chart.Pattern);
        Assert.Equal("11", OnOff(chart));
        Assert.Contains("so continuous", chart.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Cents_left_over_go_to_the_largest_remainders_earliest_first()
    {
        Assert.Equal([0.04m, 0.03m, 0.03m], Flighting.SpreadMoney(0.10m, [1, 1, 1]));
        Assert.Equal([0.01m, 0m, 0.03m], Flighting.SpreadMoney(0.04m, [1, 0, 2]));
        Assert.Equal([3L, 0, 4], Flighting.SpreadUnits(7, [0.45, 0, 0.55]));
        Assert.Equal([-0.04m, -0.03m, -0.03m], Flighting.SpreadMoney(-0.10m, [1, 1, 1]));
    }

    [Fact]
    public void A_flight_ending_before_it_starts_is_one_day_and_a_runaway_flight_is_cut_at_the_brief_limit()
    {
        Assert.Single(Flighting.Weeks(Wednesday, Wednesday.AddDays(-30), FlightingPattern.Continuous));

        var weeks = Flighting.Weeks(Monday, Monday.AddYears(40), FlightingPattern.Continuous);

        Assert.Equal(BriefLimits.FlightMaxDays, weeks.Sum(w => w.Days));
    }

    [Fact]
    public void The_plan_basis_carries_the_briefs_pattern_to_the_flowchart()
    {
        var brief = TestData.Brief();
        brief.Flighting = FlightingPattern.Custom;
        brief.FlightingWeeks = "101";
        var request = TestData.Request(brief);
        var basis = PlanBasis.From(request);
        var plan = TestData.Plans(request)[0];

        var chart = Flighting.For(plan, basis);

        Assert.Equal(FlightingPattern.Custom, basis.Flighting);
        Assert.Equal("101", basis.FlightingWeeks);
        Assert.Equal("101101", OnOff(chart));
        Assert.Equal("Custom weeks", chart.PatternName);
        Assert.Equal(FlightingPattern.Continuous, Flighting.For(plan, (PlanBasis?)null).Pattern);
    }

    private static string OnOff(Flowchart chart) => new(chart.Weeks.Select(w => w.On ? '1' : '0').ToArray());
}
