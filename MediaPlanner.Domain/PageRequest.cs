namespace MediaPlanner.Domain;

/// <summary>
/// Which page of a list to read. The one place page and size are clamped, so a list skips by the same size it takes
/// (the job list once skipped by the size asked for and took the clamped one, so its pages missed rows).
/// </summary>
public sealed record PageRequest(int Page, int Size)
{
    /// <summary>Page 0 or later and a size from 1 to <paramref name="maxSize"/>.</summary>
    public PageRequest Normalised(int maxSize) => new(Math.Max(0, Page), Math.Clamp(Size, 1, maxSize));

    public int Skip => Page * Size;

    public int Take => Size;
}
