package suite

// SearchFrontier finds, for each row (API rate, ascending), the highest column (event rate,
// ascending) that holds, running as few cells as the monotone shape allows: a higher API rate on
// the same stack cannot hold more events than a lower one, so each row starts at the previous
// row's frontier and steps down from there, while the first row climbs from the bottom. That is
// at most len(rows)+2·len(cols) cells instead of len(rows)·len(cols). pass runs one cell.
// frontier maps a row index to its highest passing column index; the search ends at the first
// row where no column holds.
func SearchFrontier(rows, cols int, pass func(row, col int) bool) (frontier map[int]int) {
	frontier = map[int]int{}
	top := cols - 1 // the highest column a row may reach
	for r := 0; r < rows; r++ {
		best := -1
		if r == 0 {
			best = Climb(r, top, pass)
		} else {
			for c := top; c >= 0; c-- {
				if pass(r, c) {
					best = c
					break
				}
			}
		}
		if best < 0 {
			return frontier
		}
		frontier[r] = best
		top = best
	}
	return frontier
}

// Climb runs a row's cells upward from the first until one fails (or top passes) and returns the
// highest column that held, -1 if none.
func Climb(row, top int, pass func(row, col int) bool) int {
	best := -1
	for c := 0; c <= top && pass(row, c); c++ {
		best = c
	}
	return best
}
