// The report page's stylesheet: inline (hashed in the page's Content-Security-Policy), laptop and print layouts.
// Colours meet WCAG AA contrast on white; every colour also comes with text, an icon or a pattern.
export const STYLE = `
:root{--ink:#1b1b1b;--muted:#575757;--line:#d0d0d0;--bg:#f6f7f9;--card:#fff;--accent:#0b5cad;
--fail:#a4262c;--pass:#0e6b0e;--unknown:#7a5300;--exempt:#5c2d91;--na:#575757;
--critical:#7a0916;--high:#c3362b;--medium:#a85400;--low:#2f5f98}
*{box-sizing:border-box}
html{font-size:15px}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:var(--ink);
background:var(--bg);line-height:1.45}
header.page{background:#12263f;color:#fff;padding:1.1rem 2rem 1rem}
header.page h1{margin:0 0 .35rem;font-size:1.55rem;font-weight:650;letter-spacing:.01em}
header.page dl{display:flex;flex-wrap:wrap;gap:.2rem 1.6rem;margin:0;font-size:.9rem}
header.page dt{color:#b9c7d8;display:inline}
header.page dd{margin:0 0 0 .35rem;display:inline;font-variant-numeric:tabular-nums}
header.page dl div{white-space:nowrap}
main{padding:1.2rem 2rem 2rem;max-width:1600px;margin:0 auto}
h2{font-size:1.2rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:.8rem 0 .4rem}
section.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:0 0 1.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1.2rem;margin-bottom:1.2rem}
.grid section.card{margin:0}
.badge{display:inline-block;border-radius:4px;padding:.05rem .45rem;font-weight:600;font-size:.85rem;border:1px solid}
.badge.complete{color:#0e6b0e;border-color:#0e6b0e;background:#eef7ee}
.badge.partial{color:#8a1c1c;border-color:#8a1c1c;background:#fdf0f0}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem;margin:.2rem 0 .8rem;padding:0;list-style:none}
.tiles li{border:1px solid var(--line);border-radius:6px;padding:.45rem .8rem;min-width:7.2rem;background:#fff}
.tiles .n{display:block;font-size:1.5rem;font-weight:700;font-variant-numeric:tabular-nums}
.tiles .l{font-size:.85rem;color:var(--muted)}
.tiles li.t-fail{border-left:6px solid var(--fail)}.tiles li.t-pass{border-left:6px solid var(--pass)}
.tiles li.t-unknown{border-left:6px dashed var(--unknown)}.tiles li.t-exempt{border-left:6px double var(--exempt)}
.tiles li.t-na{border-left:6px dotted var(--na)}.tiles li.t-clusters{border-left:6px solid #12263f}
.tiles li.sev-critical{border-left:6px solid var(--critical)}.tiles li.sev-high{border-left:6px solid var(--high)}
.tiles li.sev-medium{border-left:6px dashed var(--medium)}.tiles li.sev-low{border-left:6px dotted var(--low)}
.problems{margin:.4rem 0 0;padding-left:1.2rem}
.problems li{margin:.15rem 0}
.note{color:var(--muted);font-size:.9rem;margin:.3rem 0}
figure{margin:0}
svg.chart{width:100%;height:auto;display:block;font-family:inherit}
svg.chart text{fill:#1b1b1b}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:.3rem 0 .2rem;padding:0;font-size:.85rem}
ul.legend li{display:flex;align-items:center;gap:.35rem}
ul.legend svg{width:18px;height:12px;border:1px solid #555}
details.data{font-size:.85rem;margin-top:.3rem}
details.data summary{cursor:pointer;color:var(--accent)}
table{border-collapse:collapse}
table.small{margin:.4rem 0;font-size:.85rem}
table.small th,table.small td{border:1px solid var(--line);padding:.15rem .5rem;text-align:left}
table.small td.num,table.small th.num{text-align:right;font-variant-numeric:tabular-nums}
.controls{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end;margin:.2rem 0 .8rem}
.controls label{display:flex;flex-direction:column;font-size:.8rem;font-weight:600;color:#333;gap:.15rem}
.controls select,.controls input{font:inherit;font-size:.9rem;padding:.3rem .4rem;border:1px solid #8a8a8a;border-radius:4px;
background:#fff;min-width:9rem;max-width:20rem}
.controls input[type=search]{min-width:16rem}
.controls button,#more,button.copy{font:inherit;font-size:.85rem;border:1px solid var(--accent);color:var(--accent);background:#fff;
border-radius:4px;padding:.3rem .7rem;cursor:pointer}
.controls button:hover,#more:hover,button.copy:hover{background:#eaf2fb}
button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #ffbf47;outline-offset:1px}
#count{margin:.2rem 0 .6rem;font-size:.9rem;color:#333}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table.findings{width:100%;min-width:1080px;table-layout:fixed;font-size:.86rem;background:#fff}
col.c-status{width:6.5%}col.c-sev{width:6%}col.c-cluster{width:14.5%}col.c-sub{width:9.5%}col.c-version{width:6%}
col.c-rule{width:12%}col.c-msg{width:24%}col.c-fix{width:21.5%}
table.findings caption{text-align:left;padding:.5rem .7rem;font-weight:600;caption-side:top;color:#333}
table.findings th,table.findings td{border-bottom:1px solid #e3e3e3;padding:.4rem .55rem;text-align:left;vertical-align:top}
table.findings thead th{background:#eef1f5;position:sticky;top:0;z-index:1;white-space:nowrap;border-bottom:2px solid #b8c0ca}
table.findings th button{all:unset;cursor:pointer;font-weight:650}
table.findings th button:focus-visible{outline:3px solid #ffbf47}
table.findings th button::after{content:" \\2195";color:#8a8a8a;font-weight:400}
table.findings th[aria-sort=ascending] button::after{content:" \\25B2";color:#12263f}
table.findings th[aria-sort=descending] button::after{content:" \\25BC";color:#12263f}
table.findings tbody tr:nth-child(even){background:#fafbfc}
table.findings tbody tr:hover{background:#f1f6fc}
td.cluster strong{font-weight:600;word-break:break-word}
td.cluster .sub{display:block;color:var(--muted);font-size:.8rem;overflow-wrap:anywhere}
td.cluster .tags{display:block;color:var(--muted);font-size:.75rem;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
td.sub-id{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:.72rem;color:#333;overflow-wrap:anywhere}
td.rule{font-size:.8rem;overflow-wrap:anywhere}
td.msg{overflow-wrap:anywhere}
td.fix code{display:block;font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:.76rem;white-space:pre-wrap;
overflow-wrap:anywhere;background:#f3f4f6;border:1px solid #e1e3e6;border-radius:4px;padding:.25rem .4rem;margin-bottom:.25rem}
button.copy{font-size:.75rem;padding:.1rem .5rem}
button.copy.done{background:#0e6b0e;border-color:#0e6b0e;color:#fff}
button.copy.failed{background:#fff4e5;border-color:#8a4b00;color:#8a4b00}
.st{font-weight:650;white-space:nowrap}
.st-fail{color:var(--fail)}.st-pass{color:var(--pass)}.st-unknown{color:var(--unknown)}.st-exempt{color:var(--exempt)}
.st-not_applicable{color:var(--na)}
.sev{white-space:nowrap;font-weight:600}
.sev-critical{color:var(--critical)}.sev-high{color:var(--high)}.sev-medium{color:var(--medium)}.sev-low{color:var(--low)}
#more{margin:.7rem 0 0}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.defs{position:absolute;width:0;height:0;overflow:hidden}
footer{color:var(--muted);font-size:.8rem;padding:0 2rem 2rem;max-width:1600px;margin:0 auto}
@media (max-width:700px){main{padding:1rem}header.page{padding:1rem}.grid{grid-template-columns:1fr}}
@media print{
html{font-size:11px}
body{background:#fff}
header.page{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 .5rem}
header.page dt{color:#444}
main{padding:.5rem 0;max-width:none}
section.card{border:none;padding:0;margin:0 0 1rem;break-inside:avoid}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.grid section.card{margin:0}
.controls,#more,button.copy,details.data summary{display:none}
.table-wrap{overflow:visible;border:none}
table.findings thead th{position:static}
table.findings tr{break-inside:avoid}
table.findings{min-width:0}
a{color:#000}
.print-note{display:block}
}
.print-note{display:none;font-size:.85rem;color:#333}
`;
