namespace Platform.Domain;

/// <summary>
/// Which cells of a family of linked two-way tables are hidden. Every table shares the same rows (e.g. settings) and
/// the same row totals; each has its own columns (the categories of one characteristic). Cell arrays have one row
/// more than there are rows: the last is the all-rows row (column totals), whose own total is the grand total.
/// </summary>
public sealed record SuppressionPattern(IReadOnlyList<bool> RowTotalHidden, bool GrandTotalHidden, IReadOnlyList<bool[,]> CellHidden);

/// <summary>
/// Small-cell suppression with secondary suppression, so that no hidden count can be worked out from what is shown:
/// not from a total minus the visible cells, not from the all-settings row minus the other settings, and not by
/// combining several characteristics' tables, which share the row totals.
/// </summary>
/// <remarks>
/// Every shown or hidden count sits in linear relations: each row adds up to its total, each column of settings adds
/// up to the all-settings row, and the row totals add up to the grand total. In a two-way table with its totals, a
/// hidden cell can be worked out exactly if and only if it lies on no cycle of hidden cells (rows and columns as the
/// two sides of a graph, hidden cells as its edges). So:
/// <list type="number">
/// <item>Row totals below the threshold are hidden; if only one is, the next smallest is hidden with it, so the grand
/// total minus the others cannot reveal it. Hidden row totals are chained in pairs, and in every table each pair
/// shares a column in which both rows' cells are hidden: moving a count between the two rows in that column and
/// between their totals keeps every table's sums, so a hidden total cannot be pinned down even across tables.</item>
/// <item>In each table, every cell below the threshold must lie on a cycle of hidden cells that does not pass through
/// the totals column (such a cycle keeps every total, so it holds across the linked tables too). Where one does not,
/// the cheapest rectangle that closes one is hidden: the three other corners, choosing shown counts that add least
/// (and, because a hidden zero only bounds its partner from one side, zeros only when nothing else will do).</item>
/// </list>
/// Written here because no served .NET package does statistical disclosure control (the established tools are
/// tau-ARGUS and R's sdcTable); see docs/decisions.
/// </remarks>
public static class LinkedTableSuppression
{
    private const long ZeroCellCost = 1_000_000;

    public static SuppressionPattern Protect(IReadOnlyList<int> rowTotals, IReadOnlyList<int[,]> tables, int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        var rows = rowTotals.Count;
        foreach (var table in tables)
        {
            if (table.GetLength(0) != rows) throw new ArgumentException("Every table must have one row per row total.", nameof(tables));
            for (var r = 0; r < rows; r++)
            {
                var sum = 0;
                for (var c = 0; c < table.GetLength(1); c++) sum += table[r, c];
                if (sum != rowTotals[r]) throw new ArgumentException($"Row {r} of a table does not add up to its row total.", nameof(tables));
            }
        }

        bool Small(int count) => count > 0 && count < threshold;
        var grandTotal = rowTotals.Sum();
        if (Small(grandTotal))
            return new SuppressionPattern(rowTotals.Select(_ => true).ToList(), true, tables.Select(t => Filled(rows + 1, t.GetLength(1))).ToList());

        var totalHidden = rowTotals.Select(Small).ToArray();
        if (totalHidden.Count(h => h) == 1)
        {
            var partner = Enumerable.Range(0, rows).Where(r => !totalHidden[r] && rowTotals[r] > 0).OrderBy(r => rowTotals[r]).ThenBy(r => r).First();
            totalHidden[partner] = true;
        }
        var hiddenRows = Enumerable.Range(0, rows).Where(r => totalHidden[r]).ToList();

        var cells = new List<bool[,]>(tables.Count);
        foreach (var table in tables)
        {
            var grid = WithAllRowsRow(table);
            var hidden = new bool[rows + 1, grid.GetLength(1)];
            for (var r = 0; r <= rows; r++)
                for (var c = 0; c < grid.GetLength(1); c++)
                    hidden[r, c] = Small(grid[r, c]);
            for (var i = 0; i + 1 < hiddenRows.Count; i++)
                LinkHiddenTotals(grid, hidden, hiddenRows[i], hiddenRows[i + 1]);
            while (FirstUnprotected(grid, hidden, Small) is { } cell)
                CloseRectangle(grid, hidden, cell.Row, cell.Column);
            cells.Add(hidden);
        }
        return new SuppressionPattern(totalHidden, false, cells);
    }

    private static int[,] WithAllRowsRow(int[,] table)
    {
        int rows = table.GetLength(0), columns = table.GetLength(1);
        var grid = new int[rows + 1, columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
            {
                grid[r, c] = table[r, c];
                grid[rows, c] += table[r, c];
            }
        return grid;
    }

    private static bool[,] Filled(int rows, int columns)
    {
        var all = new bool[rows, columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) all[r, c] = true;
        return all;
    }

    private static long Cost(int[,] grid, bool[,] hidden, int r, int c) => hidden[r, c] ? 0 : grid[r, c] > 0 ? grid[r, c] : ZeroCellCost;

    private static void LinkHiddenTotals(int[,] grid, bool[,] hidden, int a, int b)
    {
        var columns = grid.GetLength(1);
        for (var c = 0; c < columns; c++)
            if (hidden[a, c] && hidden[b, c]) return;
        var best = Enumerable.Range(0, columns).OrderBy(c => Cost(grid, hidden, a, c) + Cost(grid, hidden, b, c)).ThenBy(c => c).First();
        hidden[a, best] = hidden[b, best] = true;
    }

    private static (int Row, int Column)? FirstUnprotected(int[,] grid, bool[,] hidden, Func<int, bool> small)
    {
        for (var r = 0; r < grid.GetLength(0); r++)
            for (var c = 0; c < grid.GetLength(1); c++)
                if (hidden[r, c] && small(grid[r, c]) && !OnCycle(hidden, r, c))
                    return (r, c);
        return null;
    }

    /// <summary>True when row <paramref name="row"/> and column <paramref name="column"/> stay connected through other hidden cells.</summary>
    private static bool OnCycle(bool[,] hidden, int row, int column)
    {
        int rows = hidden.GetLength(0), columns = hidden.GetLength(1);
        // Nodes 0..rows-1 are rows, rows..rows+columns-1 are columns; edges are hidden cells other than the one tested.
        var seen = new bool[rows + columns];
        var queue = new Queue<int>();
        queue.Enqueue(row);
        seen[row] = true;
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (node < rows)
            {
                for (var c = 0; c < columns; c++)
                    if (hidden[node, c] && !(node == row && c == column) && !seen[rows + c])
                    {
                        if (c == column) return true;
                        seen[rows + c] = true;
                        queue.Enqueue(rows + c);
                    }
            }
            else
            {
                var c = node - rows;
                for (var r = 0; r < rows; r++)
                    if (hidden[r, c] && !(r == row && c == column) && !seen[r])
                    {
                        seen[r] = true;
                        queue.Enqueue(r);
                    }
            }
        }
        return false;
    }

    private static void CloseRectangle(int[,] grid, bool[,] hidden, int row, int column)
    {
        int rows = grid.GetLength(0), columns = grid.GetLength(1);
        (long Cost, int Row, int Column) best = (long.MaxValue, -1, -1);
        for (var r = 0; r < rows; r++)
        {
            if (r == row) continue;
            for (var c = 0; c < columns; c++)
            {
                if (c == column) continue;
                var cost = Cost(grid, hidden, row, c) + Cost(grid, hidden, r, column) + Cost(grid, hidden, r, c);
                if (cost < best.Cost) best = (cost, r, c);
            }
        }
        if (best.Row < 0) throw new InvalidOperationException("A table needs at least two rows and two columns to protect a cell.");
        hidden[row, best.Column] = hidden[best.Row, column] = hidden[best.Row, best.Column] = true;
    }
}
