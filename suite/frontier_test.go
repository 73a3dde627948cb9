package suite

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSearchFrontierFindsTheMonotoneFrontier(t *testing.T) {
	// limit[r] = the highest passing column of row r (-1: none), non-increasing.
	cases := [][]int{
		{5, 5, 5, 5, 4, 2}, // the shape measured on the 2-core machine
		{5, 5, 5, 5, 5, 5}, // nothing fails
		{-1, -1, -1},       // the first cell fails
		{3, 1, -1, -1},     // a row where nothing holds ends the search
		{0, 0, 0},          // only the lowest column holds
		{2, 2, 0, 0, -1},   // plateaus and drops
	}
	for _, limit := range cases {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			const cols = 6
			var ran int
			got := SearchFrontier(len(limit), cols, func(r, c int) bool {
				ran++
				return c <= limit[r]
			})
			want := map[int]int{}
			for r, l := range limit {
				if l < 0 {
					break
				}
				want[r] = l
			}
			assert.Equal(t, want, got)
			assert.LessOrEqual(t, ran, len(limit)+2*cols, "cells run")
		})
	}
}

func TestSearchFrontierRunsFewerCellsThanTheMatrix(t *testing.T) {
	limit := []int{5, 5, 5, 5, 4, 2}
	var cells []string
	SearchFrontier(len(limit), 6, func(r, c int) bool {
		cells = append(cells, fmt.Sprintf("%d/%d", r, c))
		return c <= limit[r]
	})
	// Row 0 climbs all six columns; rows 1–3 pass at the top at once; row 4 fails 5 then holds 4;
	// row 5 fails 4 and 3, holds 2.
	assert.Equal(t, []string{"0/0", "0/1", "0/2", "0/3", "0/4", "0/5", "1/5", "2/5", "3/5", "4/5", "4/4", "5/4", "5/3", "5/2"}, cells)
}
