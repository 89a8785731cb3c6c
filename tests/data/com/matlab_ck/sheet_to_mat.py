import zipfile, re, sys, numpy as np, scipy.io
import xml.etree.ElementTree as ET
src, dst = sys.argv[1], sys.argv[2]
z=zipfile.ZipFile(src)
M='http://purl.oclc.org/ooxml/spreadsheetml/main'
R='http://purl.oclc.org/ooxml/officeDocument/relationships'
wbx=z.read('xl/workbook.xml').decode()
if 'schemas.openxmlformats.org/spreadsheetml/2006/main' in wbx:
    M='http://schemas.openxmlformats.org/spreadsheetml/2006/main'; R='http://schemas.openxmlformats.org/officeDocument/2006/relationships'
ns={'m':M}
wb=ET.fromstring(wbx)
sheets=[(s.get('name'), s.get('{%s}id'%R)) for s in wb.find('m:sheets',ns)]
rels=ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
rmap={r.get('Id'):r.get('Target') for r in rels}
ss=ET.fromstring(z.read('xl/sharedStrings.xml'))
strings=[''.join(t.text or '' for t in si.iter('{%s}t'%M)) for si in ss.findall('m:si',ns)]
name,rid=[s for s in sheets if s[0]=='COM_Settings'][0]
t=rmap[rid]; path=t.lstrip('/') if t.startswith('/xl') else 'xl/'+t
sh=ET.fromstring(z.read(path))
cells={}
def col(ref):
    c=re.match(r'([A-Z]+)(\d+)',ref); s=0
    for ch in c.group(1): s=s*26+ord(ch)-64
    return int(c.group(2))-1, s-1
for c in sh.iter('{%s}c'%M):
    r,cc=col(c.get('r')); ty=c.get('t'); v=c.find('m:v',ns)
    if v is None:
        isel=c.find('m:is',ns)
        if isel is not None: cells[(r,cc)]=''.join(x.text or '' for x in isel.iter('{%s}t'%M))
        continue
    if ty=='s': cells[(r,cc)]=strings[int(v.text)]
    elif ty in ('str','inlineStr','e'): cells[(r,cc)]=v.text
    else: cells[(r,cc)]=float(v.text)
nr=max(k[0] for k in cells)+1; nc=max(k[1] for k in cells)+1
cell=np.empty((nr,nc),dtype=object)
for i in range(nr):
    for j in range(nc): cell[i,j]=cells.get((i,j),np.nan)
scipy.io.savemat(dst,{'parameter':cell})
for i in range(nr):
    k=str(cell[i,0])
    if k in ('N_bg','N_bf','N_f','bmaxg','B_float_RSS_MAX','N_tail_start','N_b','f_b','Floating_DFE'): print(i, list(cell[i,:3]))
print(nr,nc)
import os
extra=[(k,float(v)) for k,v in (a.split('=') for a in sys.argv[3:])]+[('DISPLAY_WINDOW',0.0),('Port Order','[1 2 3 4]'),('DIAGNOSTICS',0.0),('CSV_REPORT',0.0),('SAVE_FIGURES',0.0),('SAVE_TD',0.0)]
rows=[]
for n,v in extra:
    hit=[(i,j) for i in range(nr) for j in range(nc) if isinstance(cell[i,j],str) and cell[i,j].strip()==n]
    if hit:
        i,j=hit[0]; print('set',n,'was',cell[i,j+1]); cell[i,j+1]=v
    else: rows.append((n,v))
cell2=np.empty((nr+len(rows),nc),dtype=object)
cell2[:nr,:]=cell
for k,(n,v) in enumerate(rows):
    for j in range(nc): cell2[nr+k,j]=np.nan
    cell2[nr+k,0]=n; cell2[nr+k,1]=v
scipy.io.savemat(dst,{'parameter':cell2})
