package io.fastpool.shell.internal;

import java.util.ArrayList;
import java.util.List;

/** A text table with aligned columns: what a person reads at a console. Numbers align right. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
        columns = header.length;
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
            row[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(row);
        return this;
    }

    int size() {
        return rows.size() - 1;
    }

    @Override
    public String toString() {
        int[] widths = new int[columns];
        boolean[] numeric = new boolean[columns];
        java.util.Arrays.fill(numeric, true);
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], rows.get(r)[c].length());
                if (r > 0 && !rows.get(r)[c].isEmpty() && !rows.get(r)[c].matches("[0-9.,/%-]+")) {
                    numeric[c] = false;
                }
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                String cell = row[c];
                String pad = " ".repeat(widths[c] - cell.length());
                text.append(numeric[c] ? pad + cell : cell + (c < columns - 1 ? pad : ""));
                if (c < columns - 1) {
                    text.append("  ");
                }
            }
            text.append('\n');
        }
        return text.toString();
    }
}
