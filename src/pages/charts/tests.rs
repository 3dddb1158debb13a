//! Unit tests of the charts: scales, empty and huge data, escaping, what screen readers are told.

use super::*;

fn months() -> Vec<String> {
    (1..=12).map(|m| format!("{m}月")).collect()
}

fn words() -> Words<'static> {
    Words {
        title: "按月审批案件",
        empty: "无数据",
        withheld: "<5",
    }
}

fn all(values: &[u64]) -> Vec<Option<u64>> {
    values.iter().copied().map(Some).collect()
}

fn line(this: &[u64], last: &[u64]) -> String {
    line_of(&all(this), &all(last))
}

fn line_of(this: &[Option<u64>], last: &[Option<u64>]) -> String {
    let series = [
        Series {
            name: "今年".into(),
            values: this,
            colour: "#1f4e9c",
            dashed: false,
        },
        Series {
            name: "去年".into(),
            values: last,
            colour: "#888",
            dashed: true,
        },
    ];
    line_chart("cases", &words(), &months(), &series)
}

/// The y coordinates of a polyline's points, in order.
fn ys(svg: &str, nth: usize) -> Vec<f64> {
    let points = svg.split("<polyline points=\"").nth(nth + 1).unwrap();
    let points = &points[..points.find('"').unwrap()];
    points
        .split(' ')
        .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn the_largest_value_reaches_the_top_of_the_plot_and_zero_lies_on_the_axis() {
    let this = [0, 3, 7, 2, 0, 0, 0, 0, 0, 0, 0, 1];
    let svg = line(&this, &[1; 12]);
    let ys = ys(&svg, 0);
    assert_eq!(ys[2], TOP, "{svg}");
    assert_eq!(ys[0], TOP + PLOT_HEIGHT);
    assert!(ys[1] > ys[2] && ys[1] < ys[0]);
}

#[test]
fn all_zero_data_draws_flat_lines_without_nan() {
    let svg = line(&[0; 12], &[0; 12]);
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    assert!(ys(&svg, 0).iter().all(|y| *y == TOP + PLOT_HEIGHT));
    let bars = bar_chart("s", &words(), &[], &["#333"]);
    assert!(bars.contains("无数据") && !bars.contains("NaN"));
    let zero = [Bar {
        label: "A".into(),
        value: Some(0),
    }];
    let bars = bar_chart("g", &words(), &zero, &["#000"]);
    assert!(
        !bars.contains("NaN")
            && bars.contains("width=\"0.0\"")
            && bars.contains("<title>A: 0</title>"),
        "{bars}"
    );
}

#[test]
fn large_numbers_keep_a_handful_of_gridlines_and_are_grouped() {
    let big = 9_876_543_210_u64;
    let svg = line(&[big; 12], &[u64::MAX / 1000; 12]);
    assert!(!svg.contains("NaN"));
    let gridlines = svg.matches("stroke=\"#ccc\"").count();
    assert!(
        (2..=(MAX_TICKS as usize + 1)).contains(&gridlines),
        "{gridlines}"
    );
    assert_eq!(grouped(big), "9,876,543,210");
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(1000), "1,000");
    let bar = bar_chart(
        "s",
        &words(),
        &[Bar {
            label: "x".into(),
            value: Some(big),
        }],
        &["#333"],
    );
    assert!(
        bar.contains("width=\"408.0\""),
        "the largest bar fills its length: {bar}"
    );
}

#[test]
fn every_text_is_escaped() {
    let hostile = "<script>alert('x')</script>&\"";
    let bars = [
        Bar {
            label: hostile.into(),
            value: Some(4),
        },
        Bar {
            label: hostile.into(),
            value: None,
        },
    ];
    let w = Words {
        title: hostile,
        empty: hostile,
        withheld: hostile,
    };
    for svg in [
        bar_chart("s", &w, &bars, &["#333"]),
        line_chart(
            "c",
            &w,
            &[hostile.to_string()],
            &[Series {
                name: hostile.into(),
                values: &[Some(1), None],
                colour: "#000",
                dashed: false,
            }],
        ),
    ] {
        assert!(!svg.contains("<script") && !svg.contains("'x'"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
    }
}

#[test]
fn charts_say_what_they_show_to_screen_readers() {
    let svg = line(&[1; 12], &[2; 12]);
    assert!(svg.contains("role=\"img\"") && svg.contains("aria-label=\"按月审批案件\""));
    assert!(svg.contains("<title id=\"cases-title\">按月审批案件</title>"));
    assert!(svg.contains("今年") && svg.contains("去年") && svg.contains("12月"));
}

#[test]
fn a_withheld_point_breaks_the_line_and_says_so() {
    let mut this = all(&[4, 6, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    this[1] = None;
    let svg = line_of(&this, &all(&[2; 12]));
    // Two runs of this year's line either side of February, then last year's one.
    assert_eq!(svg.matches("<polyline").count(), 3, "{svg}");
    assert_eq!(ys(&svg, 0).len(), 1);
    assert_eq!(ys(&svg, 1).len(), 10);
    assert!(
        svg.contains("<title>今年 2月: &lt;5</title>&lt;5</text>"),
        "{svg}"
    );
    assert!(svg.contains("<title>今年 3月: 8</title>"));
    // The scale is the shown values': the largest shown reaches the top.
    assert_eq!(ys(&svg, 1)[0], TOP);
}

#[test]
fn a_withheld_bar_has_no_length_and_bars_take_their_colours_in_turn() {
    let bars = [
        Bar {
            label: "约谈".into(),
            value: Some(6),
        },
        Bar {
            label: "整改".into(),
            value: None,
        },
        Bar {
            label: "罚款".into(),
            value: Some(3),
        },
    ];
    let svg = bar_chart("s", &words(), &bars, &["#333", "#999"]);
    assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
    assert!(
        svg.contains("fill=\"#333\"><title>罚款: 3</title>"),
        "{svg}"
    );
    assert!(
        svg.contains("<title>整改: &lt;5</title>&lt;5</text>"),
        "{svg}"
    );
    assert!(
        svg.contains("width=\"408.0\""),
        "the largest shown bar fills the length"
    );
    assert!(
        svg.contains("fill=\"#333\"><title>约谈: 6</title>"),
        "{svg}"
    );
}
