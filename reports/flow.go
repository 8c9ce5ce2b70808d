package reports

// The document is laid out in two passes: the writers append items to a
// flow (a line of text, a table row, a chart), each with its height and
// whether it must stay on the page of the next one; paginate then places
// them on pages, and only then is anything drawn. Keeping together is
// what the rules of a printed document are made of: a heading stays with
// the first two lines after it, a paragraph leaves no single line at a
// page's foot or head, the signature stays with the last lines of the
// text, a table leaves at least three rows on a page and repeats its
// header on the next.

// item is one unbreakable piece of the flow.
type item struct {
	h        float64         // height in mm
	draw     func(y float64) // draws the item with its top at y
	keepNext bool            // no page break between this item and the next
	header   *item           // drawn first when this item opens a page (a table's header row)
	newPage  bool            // starts a new page
	bottom   bool            // sits at the foot of its page (版记), after everything else
	kind     string          // what it is, for the layout record: see the item kinds
	text     string          // its text, for the layout record
	glyphs   []glyph         // a text line's glyphs and where they sit (mm from the line's start)
	xs       []float64
	width    float64 // the line's measure
}

// Item kinds.
const (
	kindHead      = "head"      // the red mark, number and rule of page 1
	kindTitle     = "title"     // a line of the title
	kindLine      = "line"      // a line of body text
	kindHeading   = "heading"   // a line of a heading
	kindSignature = "signature" // the issuer and the date
	kindCaption   = "caption"   // a table's or chart's caption, an attachment's label
	kindHeader    = "header"    // a table's header row
	kindRow       = "row"       // a table row
	kindChart     = "chart"     // a chart
	kindImprint   = "imprint"   // 版记
	kindSpace     = "space"     // vertical space
)

// placement is an item on a page.
type placement struct {
	it   *item
	page int // 1-based
	y    float64
}

// paginate places the flow's items on pages of the text block
// [top, bottom], the first page's content starting at first.
func paginate(items []*item, first, top, bottom float64) []placement {
	var out []placement
	page, y := 1, first
	empty := true // nothing but a repeated header on the page yet
	open := func(next *item) {
		page++
		y, empty = top, true
		if next != nil && next.header != nil {
			out = append(out, placement{it: next.header, page: page, y: y})
			y += next.header.h
		}
	}
	for i := 0; i < len(items); {
		it := items[i]
		if it.bottom {
			if y+it.h > bottom+0.01 {
				open(nil)
			}
			out = append(out, placement{it: it, page: page, y: bottom - it.h})
			y = bottom
			i++
			continue
		}
		if it.newPage && !empty {
			open(nil)
		}
		// The group of items that must share a page with it.
		j, h := i, it.h
		for j+1 < len(items) && items[j].keepNext && !items[j+1].newPage && !items[j+1].bottom {
			j++
			h += items[j].h
		}
		if y+h > bottom+0.01 && !empty {
			open(it)
		}
		if y+h > bottom+0.01 {
			// Longer than a page: place what fits, item by item.
			j = i
		}
		for k := i; k <= j; k++ {
			if y+items[k].h > bottom+0.01 && !empty {
				open(items[k])
			}
			out = append(out, placement{it: items[k], page: page, y: y})
			y += items[k].h
			empty = false
		}
		i = j + 1
	}
	return out
}

// link makes every item of a run but the last keep with its next.
func link(run []*item) {
	for i := 0; i+1 < len(run); i++ {
		run[i].keepNext = true
	}
}

// linkEnds keeps the first n and the last n items of a run together (no
// orphan or widow lines, no table page with fewer than n rows).
func linkEnds(run []*item, n int) {
	if len(run) <= 2*n-1 {
		link(run)
		return
	}
	link(run[:n])
	link(run[len(run)-n:])
}
