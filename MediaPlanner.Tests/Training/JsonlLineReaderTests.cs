using System.Text;
using MediaPlanner.Domain.Training;

namespace MediaPlanner.Tests.Training;

public class JsonlLineReaderTests
{
    private static async Task<List<JsonlLine>> ReadAsync(byte[] bytes, int maxLineBytes = 1024)
    {
        var lines = new List<JsonlLine>();
        await foreach (var line in JsonlLineReader.ReadAsync(new MemoryStream(bytes), maxLineBytes))
            lines.Add(line);
        return lines;
    }

    [Fact]
    public async Task Lines_are_numbered_as_a_text_reader_numbers_them_with_crlf_a_last_line_without_newline_and_blank_lines()
    {
        var text = "a\r\n\nb\nlast";

        var lines = await ReadAsync(Encoding.UTF8.GetBytes(text));

        Assert.Equal(["a", "", "b", "last"], lines.Select(l => l.Text));
        Assert.Equal([1, 2, 3, 4], lines.Select(l => l.Number));
        Assert.Equal(4, (await ReadAsync(Encoding.UTF8.GetBytes("a\n\nb\nlast\n"))).Count);
        Assert.Empty(await ReadAsync([]));
    }

    [Fact]
    public async Task A_byte_order_mark_at_the_start_is_dropped_but_one_mid_file_stays_in_its_line()
    {
        var lines = await ReadAsync([0xEF, 0xBB, 0xBF, .. "x\n"u8, 0xEF, 0xBB, 0xBF, .. "y"u8]);

        Assert.Equal(["x", "\ufeffy"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task A_line_over_the_cap_is_an_error_by_number_and_size_wherever_the_reads_split_it()
    {
        // 200 KB of one line crosses several 64 KB reads; the cap is far below it.
        var bytes = Encoding.UTF8.GetBytes("first\n" + new string('x', 200 * 1024) + "\nthird\n" + new string('y', 5000));

        var lines = await ReadAsync(bytes, maxLineBytes: 4096);

        Assert.Equal(4, lines.Count);
        Assert.Equal("first", lines[0].Text);
        Assert.Equal("line_too_long: Line 2 is 200 KB; the limit is 4 KB (Training:MaxImportLineBytes).", lines[1].Error);
        Assert.Null(lines[1].Text);
        Assert.Equal("third", lines[2].Text);
        Assert.Equal("line_too_long: Line 4 is 4.9 KB; the limit is 4 KB (Training:MaxImportLineBytes).", lines[3].Error);
    }

    [Fact]
    public async Task A_line_exactly_at_the_cap_is_read()
    {
        var lines = await ReadAsync(Encoding.UTF8.GetBytes(new string('x', 1024) + "\r\n" + new string('y', 1025)));

        Assert.Equal(1024, lines[0].Text!.Length);
        Assert.StartsWith("line_too_long: Line 2 is 1 KB", lines[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_the_lines_error_with_the_byte_and_its_position_and_never_replaced()
    {
        byte[] bytes = [.. "ok\n"u8, .. "{\"content\":\"caf"u8, 0xC3, 0x28, .. "\"}\n"u8, .. "caf\u00e9\n"u8.ToArray()];

        var lines = await ReadAsync(bytes);

        Assert.Equal("ok", lines[0].Text);
        Assert.Null(lines[1].Text);
        Assert.Equal("invalid_encoding: Line 2 is not valid UTF-8 (byte 0xC3 at position 16 of the line).", lines[1].Error);
        Assert.Equal("caf\u00e9", lines[2].Text);
        Assert.DoesNotContain(lines, l => l.Text?.Contains('\ufffd', StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_multi_byte_character_cut_off_at_the_end_of_a_line_is_invalid()
    {
        var lines = await ReadAsync([.. "abc"u8, 0xE2, 0x82]);

        Assert.Equal("invalid_encoding: Line 1 is not valid UTF-8 (byte 0xE2 at position 4 of the line).", Assert.Single(lines).Error);
    }
}
